package io.bulwark.recovery.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.recovery.cli.DrillCommand;
import io.bulwark.recovery.cli.DrillHistoryCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bulwark drill} end to end: the pilot-light test topology runs with real processes (the
 * database members, ZooKeeper, the instances), takes orders through the gateway, loses its primary
 * region (SIGKILL), and the drill measures the DR manager's recovery against the topology's
 * targets.
 */
class DrillTest {
  @TempDir Path tmp;

  @Test
  void pilotLightRegionLossDrillMeasuresRtoAndRpoAndRecordsTheDrill() throws Exception {
    Path file =
        Path.of(DrillTest.class.getResource("/io/bulwark/recovery/pilot-light-small.yaml").toURI());
    Path home = tmp.resolve("home");
    Path report = tmp.resolve("drill.html");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        cli(
            new DrillCommand(),
            out,
            err,
            file.toString(),
            "--disaster",
            "region-loss",
            "--json",
            "--report",
            report.toString(),
            "--warm-up",
            "4s",
            "--orders-per-second",
            "20",
            "--home",
            home.toString());
    assertThat(exit).as("stdout %s%nstderr %s", out, err).isZero();
    JsonNode r = Json.parse(out.toString());

    assertThat(r.path("disaster").asText()).isEqualTo("region-loss");
    assertThat(r.path("strategy").asText()).isEqualTo("pilot-light");
    assertThat(r.path("fromRegion").asText()).isEqualTo("us-east-1");
    assertThat(r.path("toRegion").asText()).isEqualTo("us-west-2");
    assertThat(r.path("targets").path("rtoSeconds").asLong()).isEqualTo(4 * 3600);
    assertThat(r.path("targets").path("rpoSeconds").asLong()).isEqualTo(4 * 3600);
    assertThat(r.path("targetsMet").asBoolean()).isTrue();
    assertThat(r.path("killed").toString())
        .contains("database member primary")
        .contains("instance web-");
    // orders were taken before the fault and, after recovery, from the DR region
    assertThat(r.path("acknowledged").asLong()).isGreaterThan(40);
    // the target for pilot light on this machine: RTO under two minutes
    assertThat(r.path("rtoSeconds").isNumber()).isTrue();
    assertThat(r.path("rtoSeconds").asDouble()).isPositive().isLessThan(120);
    long lost = r.path("lostAcknowledged").asLong();
    assertThat(r.path("lostIds")).hasSize((int) lost);
    assertThat(r.path("rpoSeconds").asDouble() > 0).isEqualTo(lost > 0);
    assertThat(r.path("rpoSeconds").asDouble()).isLessThan(5);
    assertThat(r.path("invariants").path("noDuplicateOrder").asBoolean()).isTrue();
    assertThat(r.path("activation").path("status").asText()).isEqualTo("SUCCEEDED");
    List<String> names = new ArrayList<>();
    for (JsonNode s : r.path("steps")) {
      names.add(s.path("name").asText());
      assertThat(s.path("status").asText()).as(s.toString()).isEqualTo("SUCCEEDED");
      assertThat(s.path("seconds").asDouble()).isGreaterThanOrEqualTo(0);
    }
    assertThat(names).contains("1 detect", "3 promote-replica", "6 switch-traffic", "8 verify");
    assertThat(err.toString()).contains("drill: region-loss at");

    // the drill is recorded, and the history shows it
    StringWriter historyJson = new StringWriter();
    assertThat(
            cli(
                new DrillHistoryCommand(),
                historyJson,
                new StringWriter(),
                "--home",
                home.toString(),
                "--json"))
        .isZero();
    JsonNode drills = Json.parse(historyJson.toString()).path("drills");
    assertThat(drills).hasSize(1);
    assertThat(drills.get(0).path("rtoSeconds").asDouble())
        .isEqualTo(r.path("rtoSeconds").asDouble());
    assertThat(drills.get(0).path("lostAcknowledged").asLong()).isEqualTo(lost);
    assertThat(drills.get(0).path("strategy").asText()).isEqualTo("pilot-light");
    StringWriter historyText = new StringWriter();
    cli(new DrillHistoryCommand(), historyText, new StringWriter(), "--home", home.toString());
    assertThat(historyText.toString())
        .contains("pilot-light-small")
        .contains("region-loss")
        .contains("met");

    // the report is one self-contained page: the timeline, the fault and the steps
    String html = Files.readString(report);
    assertThat(html)
        .contains("<svg")
        .contains("<polyline")
        .contains(">fault<")
        .contains("3 promote-replica")
        .doesNotContain("<script")
        .doesNotContain("src=")
        .doesNotContain("href=");
    // a passed drill leaves no database or logs behind
    try (var dirs = Files.list(home.resolve("drill").resolve("pilot-light-small"))) {
      assertThat(dirs.map(p -> p.getFileName().toString())).containsExactly(DrillHistory.FILE);
    }
  }

  static int cli(Object command, StringWriter out, StringWriter err, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }
}
