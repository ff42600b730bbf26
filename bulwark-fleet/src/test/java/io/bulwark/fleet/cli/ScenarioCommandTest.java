package io.bulwark.fleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.fleet.local.ProcessCommand;
import io.bulwark.kernel.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ScenarioCommandTest {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cl = new CommandLine(new ScenarioCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void printsTheResultAsJsonAndExitsZeroWhenTheClaimHolds() {
    int code = run("header-routing", "--json", "--duration", "2s", "--rate", "200");
    assertThat(code).as(err.toString()).isZero();
    JsonNode json = Json.parse(out.toString());
    assertThat(json.get("scenario").asText()).isEqualTo("header-routing");
    assertThat(json.get("passed").asBoolean()).isTrue();
    assertThat(json.get("requests").asLong()).isEqualTo(400);
    assertThat(json.get("failed").asLong()).isZero();
    assertThat(json.has("p50_ms")).isTrue();
    assertThat(json.has("p99_ms")).isTrue();
    assertThat(json.get("facts").get("pinned_served_by_that_cloud").get("gcp").asText())
        .isEqualTo("100 of 100");
    assertThat(err.toString()).contains("ready at http://127.0.0.1:");
  }

  @Test
  void printsAReadableSummaryOnStdoutAndFailsAP99OverTheStatedBound() {
    // every real request takes longer than 0 ms: the bound cannot hold
    int code = run("header-routing", "--duration", "1s", "--rate", "100", "--max-p99", "0ms");
    assertThat(code).as(err.toString()).isEqualTo(1);
    String text = out.toString();
    assertThat(text).startsWith("scenario header-routing: FAILED" + System.lineSeparator());
    assertThat(text).contains("violated:   p99 latency ").contains("exceeds the bound of 0 ms");
    assertThat(text).doesNotContain("{").doesNotContain("=").doesNotContain("PASSED");
    // only the summary on stdout: every line is "label: value" (progress and logs go to stderr)
    assertThat(text.lines()).allSatisfy(line -> assertThat(line).matches("[a-z0-9 -]+: .+"));
    assertThat(err.toString()).contains("ready at http://127.0.0.1:");
  }

  @Test
  void sigtermAsCtrlCPrintsWhatWasMeasuredSoFar(@TempDir Path dir) throws Exception {
    Path stderr = dir.resolve("stderr.txt");
    Process p =
        new ProcessBuilder(
                ProcessCommand.javaMain(
                        FleetCliMain.class.getName(),
                        List.of("scenario", "instance-crash", "--duration", "60s", "--rate", "50"),
                        false)
                    .argv())
            .redirectError(stderr.toFile())
            .redirectOutput(dir.resolve("stdout.txt").toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(stderr) && Files.readString(stderr).contains("ready at"));
      // some load through the gateway, with the scenario still running
      await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10)).until(p::isAlive);
      p.destroy(); // SIGTERM runs the same shutdown hooks as Ctrl-C's SIGINT
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String text = Files.readString(dir.resolve("stdout.txt"));
      assertThat(text)
          .startsWith("scenario instance-crash: FAILED")
          .contains("violated:   interrupted before the scenario ended")
          .doesNotContain("PASSED");
      long sent = Long.parseLong(text.replaceAll("(?s).*requests: +(\\d+) sent.*", "$1").trim());
      assertThat(sent).isPositive();
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  @Test
  void rejectsABadP99Bound() {
    assertThat(run("weights", "--max-p99", "fast")).isEqualTo(2);
    assertThat(err.toString()).startsWith("bulwark: --max-p99: expected a duration");
  }

  @Test
  void rejectsAnUnknownScenarioNamingTheKnownOnes() {
    assertThat(run("meteor-strike")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "bulwark: unknown scenario \"meteor-strike\"; scenarios are instance-crash,"
                + " rolling-refresh, zone-loss, weights, header-routing"
                + System.lineSeparator());
  }

  @Test
  void rejectsABadDuration() {
    assertThat(run("weights", "--duration", "soon")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "bulwark: --duration: expected a duration like 30s, 5m, 1h or 7d, got \"soon\"");
  }

  @Test
  void rejectsARateOutOfRange() {
    assertThat(run("weights", "--rate", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("rate must be between 1 and 20000 per second but was 0.0");
  }
}
