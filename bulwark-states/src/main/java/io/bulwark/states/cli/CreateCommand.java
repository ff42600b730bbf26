package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bulwark states create}: registers (a new version of) a state machine on a server. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description = "Register a state machine definition on a Bulwark server.")
public final class CreateCommand extends RemoteCommand {
  @Option(names = "--name", required = true, description = "State machine name")
  String name;

  @Option(names = "--definition", required = true, description = "ASL definition file (JSON)")
  Path definition;

  @Override
  int run() throws IOException, InterruptedException {
    ObjectNode body = Json.object();
    body.put("name", name);
    body.set("definition", JsonFiles.read(definition, "--definition"));
    return send("POST", "/api/v1/state-machines", body);
  }
}
