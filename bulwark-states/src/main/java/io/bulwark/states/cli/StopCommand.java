package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bulwark states stop ID}: aborts a RUNNING durable execution. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = "Stop (abort) a RUNNING durable execution.")
public final class StopCommand extends RemoteCommand {
  @Parameters(index = "0", description = "Execution arn or <state machine>:<name>")
  String id;

  @Option(names = "--error", description = "Error name recorded on the execution")
  String error;

  @Option(names = "--cause", description = "Cause recorded on the execution")
  String cause;

  @Override
  int run() throws IOException, InterruptedException {
    ObjectNode body = Json.object();
    if (error != null) {
      body.put("error", error);
    }
    if (cause != null) {
      body.put("cause", cause);
    }
    return send("POST", "/api/v1/executions/" + segment(id) + "/stop", body);
  }

  @Override
  void render(JsonNode answer, java.io.PrintWriter out) {
    Rendering.execution(answer, out);
  }
}
