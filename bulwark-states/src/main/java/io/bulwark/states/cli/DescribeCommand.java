package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bulwark states describe ID}: prints a durable execution as JSON. */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    description = "Describe a durable execution (by arn or <state machine>:<name>).")
public final class DescribeCommand extends RemoteCommand {
  @Parameters(index = "0", description = "Execution arn or <state machine>:<name>")
  String id;

  @Override
  int run() throws IOException, InterruptedException {
    return send("GET", "/api/v1/executions/" + segment(id), null);
  }

  @Override
  void render(JsonNode answer, java.io.PrintWriter out) {
    Rendering.execution(answer, out);
  }
}
