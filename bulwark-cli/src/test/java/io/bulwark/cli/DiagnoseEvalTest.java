package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulwark diagnose eval} runs a small campaign against the built-in shop it starts, with
 * orders flowing, and scores the engine and the BARO baseline; a campaign file with a mistake is
 * refused before anything starts.
 */
class DiagnoseEvalTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();

  @TempDir Path home;

  @Test
  void scoresASmallCampaignAgainstTheBuiltInShop() {
    CliRun run =
        CliRun.bulwark(
            "diagnose",
            "eval",
            "--campaign",
            "../examples/campaigns/smoke.yaml",
            "--jdbc-url",
            pg.jdbcUrl(),
            "--home",
            home.toString(),
            "--json");

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode report = Json.parse(run.out());
    String shown = run.out() + run.err();
    List<String> fields = new ArrayList<>();
    report.fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsExactly(
            "injections", "ac1", "ac3", "avg5", "meanSecondsToDiagnosis", "baseline", "cases");
    assertThat(report.get("injections").asInt()).isEqualTo(2);
    JsonNode slow = report.get("cases").get(0);
    assertThat(slow.get("fault").asText()).isEqualTo("slow-query");
    assertThat(slow.get("target").asText()).isEqualTo("database");
    assertThat(slow.get("rootCause").isObject()).as(shown).isTrue();
    assertThat(slow.get("rootCause").get("fault").asText()).as(shown).isEqualTo("slow-query");
    assertThat(slow.get("rank").asInt()).isEqualTo(1);
    JsonNode outage = report.get("cases").get(1);
    assertThat(outage.get("target").asText()).isEqualTo("payment-network");
    assertThat(outage.get("rootCause").isObject()).as(shown).isTrue();
    assertThat(outage.get("rootCause").get("fault").asText())
        .as(shown)
        .isEqualTo("dependency-down");
    assertThat(report.get("ac1").asDouble()).isEqualTo(1.0);
    assertThat(report.get("avg5").asDouble()).isEqualTo(1.0);
    // the symptom is declared 6 s after each injection; the diagnosis follows within seconds
    assertThat(report.get("meanSecondsToDiagnosis").asDouble()).isBetween(6.0, 30.0);
    assertThat(report.get("baseline").get("ac1").asDouble()).isBetween(0.0, 1.0);
    assertThat(report.get("baseline").get("avg5").asDouble())
        .isGreaterThanOrEqualTo(report.get("baseline").get("ac1").asDouble());
    assertThat(run.err()).contains("1/2 slow-query on database: ").contains("2/2 dependency-down");
  }

  @Test
  void refusesABadCampaignFileNamingItsLineBeforeStartingAnything() throws Exception {
    Path file = home.resolve("bad.yaml");
    Files.writeString(
        file,
        "injections:\n"
            + "  - {fault: cpu-hog, target: shop, at: 10s, duration: 20s}\n"
            + "  - {fault: cpu-hog, target: shop, at: 30s, duration: forever}\n");

    CliRun run =
        CliRun.bulwark(
            "diagnose", "eval", "--campaign", file.toString(), "--home", home.toString());

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err().strip())
        .isEqualTo(
            "bulwark: "
                + file
                + ":3: injections[1].duration: expected a duration like 30s or 2m, got"
                + " \"forever\"");
    assertThat(home.resolve("eval")).doesNotExist();
    CliRun topology =
        CliRun.bulwark(
            "diagnose", "eval", "--campaign", file.toString(), "--topology", "multi-az.yaml");
    assertThat(topology.exit()).isEqualTo(2);
    assertThat(topology.err()).contains("--topology: starting a topology file's processes");
  }
}
