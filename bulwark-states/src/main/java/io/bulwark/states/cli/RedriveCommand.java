package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bulwark states redrive ID}: Redrive a FAILED execution from the state that failed. */
@Command(
    name = "redrive",
    mixinStandardHelpOptions = true,
    description = "Redrive a FAILED execution from the state that failed.")
public final class RedriveCommand extends RemoteCommand {
  @Parameters(index = "0", description = "Execution arn or <state machine>:<name>")
  String id;

  @Override
  int run() throws IOException, InterruptedException {
    return send("POST", "/api/v1/executions/" + segment(id) + "/redrive", null);
  }

  @Override
  void render(JsonNode answer, java.io.PrintWriter out) {
    Rendering.execution(answer, out);
  }
}
