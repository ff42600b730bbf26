package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bulwark states history ID}: Print the history events of a durable execution. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = "Print the history events of a durable execution.")
public final class HistoryCommand extends RemoteCommand {
  @Parameters(index = "0", description = "Execution arn or <state machine>:<name>")
  String id;

  @Override
  int run() throws IOException, InterruptedException {
    return send("GET", "/api/v1/executions/" + segment(id) + "/history", null);
  }

  @Override
  void render(JsonNode answer, java.io.PrintWriter out) {
    Rendering.history(answer, out);
  }
}
