package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Option(names = "--input", description = "Input JSON file (default: {})")
  Path input;

  @Override
  int run() throws IOException, InterruptedException {
    ObjectNode body = Json.object();
    body.put("stateMachineName", stateMachine);
    if (name != null) {
      body.put("name", name);
    }
    body.set("input", input == null ? Json.object() : readJson(input, "--input"));
    return send("POST", "/api/v1/executions", body);
  }

  static JsonNode readJson(Path file, String option) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new BadInput(option + " " + file + ": cannot read: " + e.getMessage(), e);
    }
    try {
      return Json.mapper().readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadInput(option + " " + file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
