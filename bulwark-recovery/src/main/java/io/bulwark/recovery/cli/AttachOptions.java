package io.bulwark.recovery.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options by which a {@code bulwark dr} command finds the running {@code bulwark up}. */
final class AttachOptions {

  @Option(names = "--name", description = "the running topology's name (default: the only one)")
  String name;

  @Option(names = "--home", description = "state directory (default: $BULWARK_HOME or ~/.bulwark)")
  Path home;

  /** The running topology these options name; see {@link Attach#find}. */
  Attach attach() {
    return Attach.find(name, home);
  }
}
