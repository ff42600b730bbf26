package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bulwark scenario black-friday} as a real process, short and small (30 s, x10, three
 * peak instances): every acknowledged order is reconciled, the doorbuster is never oversold, the
 * card network charged exactly the confirmed revenue, bots were stopped, and the exit code says
 * whether the seed's figures were met. The default run (5 min, x50) is a benchmark, recorded in
 * {@code docs/benchmarks.md}.
 */
class BlackFridayScenarioTest {

  /** The issue's {@code --json} contract: other programs read these names. */
  static final List<String> CONTRACT =
      List.of(
          "peakMultiplier",
          "requests",
          "availabilityPercent",
          "meanLatencyMs",
          "p99LatencyMs",
          "vipP99LatencyMs",
          "lostOrders",
          "oversold",
          "doubleCharged",
          "botRequestsBlocked",
          "instanceSeconds",
          "peakProvisionedInstanceSeconds",
          "costSavingPercent",
          "passed");

  @TempDir Path home;

  @Test
  void aShortPeakLosesNothingStopsTheBotsAndReportsTheSeedsFigures() throws Exception {
    Path report = home.resolve("bf.html");
    Path stderr = home.resolve("stderr.txt");
    Process p =
        DemoProcess.bulwark(
            stderr,
            "scenario",
            "black-friday",
            "--duration",
            "30s",
            "--peak",
            "10",
            "--baseline-rate",
            "3",
            "--peak-instances",
            "3",
            "--doorbuster-stock",
            "5",
            "--home",
            home.resolve("state").toString(),
            "--json",
            "--report",
            report.toString());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the scenario finished").isTrue();
    String progress = Files.readString(stderr);
    JsonNode r = Json.parse(out);

    assertThat(CONTRACT.stream().filter(f -> !r.has(f)).toList())
        .as("contract fields missing; stdout: %s; stderr: %s", out, progress)
        .isEmpty();
    assertThat(r.get("peakMultiplier").asDouble()).isEqualTo(10.0);
    assertThat(r.get("requests").asLong()).isGreaterThan(150);
    assertThat(r.get("acknowledgedOrders").asLong()).isPositive();

    // nothing lost: every acknowledged order reached a final state, stock and money reconcile
    assertThat(r.get("lostOrders").asLong()).isZero();
    assertThat(r.get("oversold").asLong()).isZero();
    assertThat(r.get("doubleCharged").asLong()).isZero();
    assertThat(r.get("stockConsistent").asBoolean()).isTrue();
    assertThat(r.get("chargesReconciled").asBoolean()).isTrue();
    assertThat(r.get("confirmedOrders").asLong() + r.get("failedOrders").asLong())
        .isEqualTo(r.get("acknowledgedOrders").asLong());
    // five units against a few dozen doorbuster orders (and a scalper): never more than the stock
    assertThat(r.get("doorbusterSold").asLong()).isBetween(1L, 5L);

    // the gateway's rules stopped the scraper and the scalper, not the customers
    assertThat(r.get("botRequestsBlocked").asLong())
        .isPositive()
        .isLessThanOrEqualTo(r.get("botRequests").asLong());
    assertThat(r.get("serverErrors").asLong()).isZero();
    assertThat(r.get("availabilityPercent").asDouble()).isEqualTo(100.0);

    // cost is counted: instances ran, and about no more than the peak for the whole window (a
    // 30 s run pre-scales at once, and the count includes the seconds an instance spends starting
    // and draining past the window's edges)
    assertThat(r.get("instanceSeconds").asDouble())
        .isPositive()
        .isLessThanOrEqualTo(r.get("peakProvisionedInstanceSeconds").asDouble() * 1.1);

    // the exit code is the verdict
    assertThat(p.exitValue()).isEqualTo(r.get("passed").asBoolean() ? 0 : 1);
    assertThat(Files.readString(report)).contains("<svg").contains("Black Friday");
    assertThat(progress).contains("load done:").doesNotContain("Exception");
  }

  @Test
  void badInputIsRefusedWithTheOptionNamedAndNothingStarted() throws Exception {
    CliRun run = CliRun.bulwark("scenario", "black-friday", "--duration", "10s");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--duration").contains("30s..12m").doesNotContain("Exception");
    CliRun peak = CliRun.bulwark("scenario", "black-friday", "--peak-instances", "1");
    assertThat(peak.exit()).isEqualTo(2);
    assertThat(peak.err()).contains("--peak-instances");
  }
}
