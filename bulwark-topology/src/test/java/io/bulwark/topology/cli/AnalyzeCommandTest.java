package io.bulwark.topology.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeCommandTest {

  @TempDir Path dir;

  @Test
  void reportsAvailabilitySpofsDrFitAndCostAsText() {
    Run r = Run.of(new AnalyzeCommand(), Run.example("multi-az.yaml"));
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("Composite availability: 99.97")
        .contains("A = A_regions × A_ingress × A_web × A_api × A_orders-db × F_orders-db")
        .contains("F_orders-db = 1 − (1 − 0.999·0.9995)·0.116667")
        .contains("A_web       = 1 − (1 − 0.999·(1 − 0.005^2))^3")
        .contains("Expected downtime: ")
        .contains("Single points of failure: none")
        .contains("DR: backup & restore delivers RPO 24 h and RTO hours – 1 day: meets")
        .contains("Cost class: $ – backup & restore");
  }

  @Test
  void groupsSpofsByLayerWithTheirCountermeasures() {
    Run r = Run.of(new AnalyzeCommand(), Run.example("single-az.yaml"));
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("  NETWORK\n    - single internet gateway – region us-east-1")
        .contains("fix: place a NAT gateway in each AZ")
        .contains("  COMPUTE\n    - single instance – service web")
        .contains("  DATA\n    - single database instance – database orders-db")
        .contains("  APPLICATION\n    - hard-coded dependency – call web → api");
  }

  @Test
  void printsJsonForMachines() {
    Run r = Run.of(new AnalyzeCommand(), Run.example("single-az.yaml"), "--json");
    JsonNode n = Json.parse(r.out());
    assertThat(n.get("spofs").get("network").size()).isEqualTo(2);
    assertThat(n.get("spofs").get("data").get(0).get("countermeasure").asText())
        .startsWith("Multi-AZ database");
    assertThat(n.get("availability").get("composite").asDouble()).isBetween(0.9, 0.99);
    assertThat(n.get("dr").isNull()).isTrue();
    assertThat(n.get("cost").get("class").asText()).isEqualTo("$");
  }

  @Test
  void showsTheRegionStatesAndTheAssumptionsInTextJsonAndHtml() throws IOException {
    Run text = Run.of(new AnalyzeCommand(), Run.example("active-active.yaml"));
    assertThat(text.out())
        .contains("A = Σ_S P(S)·A_ingress(S)·A_web(S)·A_api(S)·A_orders-db(S) × F_regions")
        .contains("region states S (a region's outage takes down all of its zones):")
        .containsPattern("S = \\{eu-west-1\\} +P\\(S\\) = 9.999e-05  A\\(S\\) = 99.85%")
        .containsPattern("region eu-west-1 +99.99% +\\[availability.region; set regions");

    JsonNode av =
        Json.parse(Run.of(new AnalyzeCommand(), Run.example("active-active.yaml"), "--json").out())
            .get("availability");
    assertThat(av.get("region_states")).hasSize(3);
    assertThat(av.get("region_states").get(0).get("up").toString())
        .isEqualTo("[\"us-east-1\",\"eu-west-1\"]");
    assertThat(av.get("region_states").get(0).get("probability").asDouble())
        .isCloseTo(0.9999 * 0.9999, org.assertj.core.api.Assertions.within(1e-15));
    assertThat(av.get("assumptions").findValuesAsText("name"))
        .contains("region us-east-1", "zone", "region outage length (MTTR)");

    Path html = dir.resolve("aa.html");
    Run.of(new AnalyzeCommand(), Run.example("active-active.yaml"), "--html", html.toString());
    assertThat(Files.readString(html))
        .contains("<th>regions up</th><th>P(S)</th><th>A(S)</th>")
        .contains("<tr><td>eu-west-1</td><td>9.999e-05</td><td>99.85%</td></tr>")
        .contains("<h3>Assumptions</h3>")
        .contains("<tr><td>zone</td><td>99.9%</td><td>availability.zone</td></tr>");
  }

  @Test
  void aRegionFigureInTheFileOverridesTheDefaultAndLowersEveryZoneInIt() throws IOException {
    String base =
        """
        name: two
        regions:
          - {name: a, role: primary, zones: [a1, a2]%s}
          - {name: b, role: active, zones: [b1, b2]}
        services: [{name: web, instances: {min: 4, max: 4}}]
        """;
    Path plain = dir.resolve("plain.yaml");
    Path weak = dir.resolve("weak.yaml");
    Files.writeString(plain, base.formatted(""));
    Files.writeString(weak, base.formatted(", availability: 99"));
    JsonNode p = Json.parse(Run.of(new AnalyzeCommand(), plain.toString(), "--json").out());
    JsonNode w = Json.parse(Run.of(new AnalyzeCommand(), weak.toString(), "--json").out());
    assertThat(w.at("/availability/composite").asDouble())
        .isLessThan(p.at("/availability/composite").asDouble());
    assertThat(w.at("/availability/assumptions/0/value").asText()).isEqualTo("99%");
    assertThat(w.at("/availability/assumptions/0/source").asText())
        .isEqualTo("regions[].availability in the file");
    // state {b}: region a down (1 %), b up; web's two instances in b carry the service
    assertThat(w.at("/availability/region_states/1/up").toString()).isEqualTo("[\"b\"]");
    assertThat(w.at("/availability/region_states/1/probability").asDouble())
        .isCloseTo(0.01 * 0.9999, org.assertj.core.api.Assertions.within(1e-15));
  }

  @Test
  void failsOnSpofOnlyWhenAsked() {
    assertThat(Run.of(new AnalyzeCommand(), Run.example("single-az.yaml"), "--fail-on-spof").exit())
        .isEqualTo(1);
    assertThat(Run.of(new AnalyzeCommand(), Run.example("multi-az.yaml"), "--fail-on-spof").exit())
        .isZero();
  }

  @Test
  void writesAnHtmlReportWithADiagramAndTheSpofsInRed() throws IOException {
    Path html = dir.resolve("report.html");
    Run r = Run.of(new AnalyzeCommand(), Run.example("single-az.yaml"), "--html", html.toString());
    assertThat(r.exit()).isZero();
    String page = Files.readString(html);
    assertThat(page)
        .startsWith("<!DOCTYPE html>")
        .contains("<svg")
        .contains(">us-east-1a</text>")
        .contains(">db primary</text>")
        .contains("fill=\"#d62728\"")
        .contains("<tr class=\"spof\"><td>network</td><td>single internet gateway</td>")
        .contains("<p class=\"legend\">")
        .contains("part of a single point of failure")
        // who calls whom: the hard-coded web → api call is a red arrow
        .contains("<h2>Calls and traffic</h2>")
        .contains("<title>web</title>")
        .contains("<title>api</title>")
        .containsPattern("<line class=\"flow\"[^>]*stroke=\"#d62728\"[^>]*marker-end");
  }

  @Test
  void anHtmlReportWithoutSpofsHasNoEmptyTableAndCutsLongLabels() throws IOException {
    Path html = dir.resolve("cloud.html");
    Run r =
        Run.of(new AnalyzeCommand(), Run.example("multi-cloud.yaml"), "--html", html.toString());
    assertThat(r.exit()).isZero();
    String page = Files.readString(html);
    assertThat(page)
        .contains("<h2>Single points of failure: none</h2>\n<h2>DR and cost</h2>")
        .doesNotContain("<th>SPOF</th>")
        // "azure-replica (async)" does not fit before its box: cut, whole in the tooltip
        .contains("<title>azure-replica (async)</title><text")
        .contains(">azure-replica (…</text>")
        // three weighted pools into the app, each an arrow
        .contains("<title>pool aws (50)</title>")
        .contains("<title>pool gcp (20)</title>");
    assertThat(page.split("<line class=\"flow\"", -1)).hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void printsEveryErrorOfAnInvalidFileAndExitsTwo() throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        "name: x\nregions:\n  - {name: r, role: primary, zones: [z]}\nservices:\n"
            + "  - {name: web, instances: {min: 3, max: 2}}\ndr: {strategy: hot, rpo: 1m, rto: 1m}\n");
    Run r = Run.of(new AnalyzeCommand(), bad.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains(bad + ":5: services[0].instances: max must be >= min (3), got 2")
        .contains(bad + ":6: dr.strategy: expected one of backup-restore, pilot-light,")
        .contains("is not a valid topology (2 errors)");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void namesAMissingFile() {
    Run r = Run.of(new AnalyzeCommand(), dir.resolve("nope.yaml").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("nope.yaml: no such file");
  }
}
