package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bulwark states start}: starts a durable execution on a server. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = "Start a durable execution of a state machine on a Bulwark server.")
public final class StartCommand extends RemoteCommand {
  @Option(names = "--state-machine", required = true, description = "State machine name")
  String stateMachine;

  @Option(names = "--name", description = "Execution name (default: a random UUID)")
  String name;

  @Option(
      names = "--input",
      paramLabel = "JSON|FILE",
      description = "Input: inline JSON ('{\"orderId\":\"o-1\"}') or a JSON file (default: {})")
  String input;

  @Override
  int run() throws IOException, InterruptedException {
    ObjectNode body = Json.object();
    body.put("stateMachineName", stateMachine);
    if (name != null) {
      body.put("name", name);
    }
    body.set("input", input == null ? Json.object() : JsonFiles.inlineOrFile(input, "--input"));
    return send("POST", "/api/v1/executions", body);
  }

  @Override
  void render(JsonNode answer, java.io.PrintWriter out) {
    Rendering.execution(answer, out);
  }
}
