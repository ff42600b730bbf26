package io.bulwark.recovery;

import io.bulwark.recovery.cli.DrFailbackCommand;
import picocli.CommandLine;

/**
 * {@code bulwark dr failback ARGS} in a process of its own, for {@link DisasterRecoveryTest} to
 * kill with SIGKILL in the middle of a failback.
 */
public final class FailbackCliMain {
  private FailbackCliMain() {}

  /** Runs the command and exits with its code. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new DrFailbackCommand()).execute(args));
  }
}
