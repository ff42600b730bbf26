package io.bulwark.recovery.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.fleet.cli.RunState;
import io.bulwark.kernel.Json;
import io.bulwark.recovery.drill.DrillHistory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bulwark drill history}: the drills recorded, oldest first, for RTO/RPO trends. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = {
      "Print the drills recorded under --home, oldest first: date, topology, strategy, disaster,"
          + " RTO, RPO, lost acknowledged orders and whether the targets were met.",
      "Exit 0 (also when none was recorded)."
    })
public final class DrillHistoryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--name", paramLabel = "TOPOLOGY", description = "only this topology's drills")
  String name;

  @Option(names = "--json", description = "print one JSON object: {\"drills\":[…]}")
  boolean json;

  @Option(
      names = "--home",
      paramLabel = "DIR",
      description = "state directory (default: $BULWARK_HOME or ~/.bulwark)")
  Path home;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<JsonNode> drills = DrillHistory.in(RunState.runRoot(home).getParent()).read(name);
    if (json) {
      var root = Json.object();
      var array = root.putArray("drills");
      drills.forEach(array::add);
      out.println(Json.write(root));
    } else if (drills.isEmpty()) {
      out.println("no drill recorded; run `bulwark drill FILE --disaster region-loss`");
    } else {
      out.printf(
          "%-20s %-22s %-14s %-12s %9s %9s %6s %s%n",
          "date", "topology", "strategy", "disaster", "RTO s", "RPO s", "lost", "targets");
      for (JsonNode d : drills) {
        out.printf(
            "%-20s %-22s %-14s %-12s %9s %9.1f %6d %s%n",
            date(d.path("date").asText()),
            d.path("topology").asText(),
            d.path("strategy").asText(),
            d.path("disaster").asText(),
            d.path("rtoSeconds").isNumber()
                ? String.format("%.1f", d.path("rtoSeconds").asDouble())
                : "-",
            d.path("rpoSeconds").asDouble(),
            d.path("lostAcknowledged").asLong(),
            d.path("targetsMet").asBoolean() ? "met" : "MISSED");
      }
    }
    out.flush();
    return 0;
  }

  /** The date to the second, as people read it: {@code 2026-12-06T03:15:36Z}. */
  private static String date(String iso) {
    try {
      return Instant.parse(iso).truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (DateTimeParseException e) {
      return iso;
    }
  }
}
