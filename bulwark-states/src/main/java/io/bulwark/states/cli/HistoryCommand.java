package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bulwark states history ID}: Print a page of the history events of a durable execution. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description =
        "Print the history events of a durable execution, a page at a time: a nextToken in the"
            + " answer means more follow (pass it with --next-token).")
public final class HistoryCommand extends RemoteCommand {
  @Parameters(index = "0", description = "Execution arn or <state machine>:<name>")
  String id;

  @Option(names = "--limit", defaultValue = "1000", description = "At most this many (1..1000)")
  int limit;

  @Option(names = "--next-token", description = "The nextToken of the previous page")
  String nextToken;

  @Override
  int run() throws IOException, InterruptedException {
    String query =
        "?limit=" + limit + (nextToken == null ? "" : "&nextToken=" + segment(nextToken));
    return send("GET", "/api/v1/executions/" + segment(id) + "/history" + query, null);
  }

  @Override
  void render(JsonNode answer, java.io.PrintWriter out) {
    Rendering.history(answer, out);
  }
}
