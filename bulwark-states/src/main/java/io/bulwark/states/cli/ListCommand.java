package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bulwark states list}: lists durable executions, newest first. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List durable executions, newest first.")
public final class ListCommand extends RemoteCommand {
  @Option(names = "--status", description = "RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED")
  String status;

  @Option(names = "--state-machine", description = "Only executions of this state machine")
  String stateMachine;

  @Option(names = "--limit", defaultValue = "100", description = "At most this many (1..1000)")
  int limit;

  @Override
  int run() throws IOException, InterruptedException {
    List<String> query = new ArrayList<>();
    if (status != null) {
      query.add("status=" + segment(status));
    }
    if (stateMachine != null) {
      query.add("stateMachine=" + segment(stateMachine));
    }
    query.add("limit=" + limit);
    return send("GET", "/api/v1/executions?" + String.join("&", query), null);
  }

  @Override
  void render(JsonNode answer, java.io.PrintWriter out) {
    Rendering.executions(answer, out);
  }
}
