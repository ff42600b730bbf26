package io.bulwark.topology.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.kernel.Json;
import io.bulwark.topology.TopologyFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyCommandTest {

  @TempDir Path dir;

  @Test
  void validateSaysValidAndExitsZero() {
    Run r = Run.of(new TopologyCommand(), "validate", Run.example("multi-cloud.yaml"));
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .endsWith("multi-cloud.yaml: valid (3 region(s), 1 service(s), profile cloud)\n");
  }

  @Test
  void validatePrintsEveryErrorAndExitsTwo() throws IOException {
    Path bad = dir.resolve("bulwark.yaml");
    Files.writeString(
        bad,
        "name: x\nregions:\n  - {name: r, role: primary, zones: [z]}\nservices:\n"
            + "  - {name: web, instances: {min: 1, max: 2}, grace-period: soon}\n"
            + "traffic:\n  pools: [{name: p, region: q}]\n");
    Run r = Run.of(new TopologyCommand(), "validate", bad.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines().toList())
        .containsExactly(
            bad
                + ":5: services[0].grace-period: expected a duration like 30s, 5m, 1h or 7d, got \"soon\"",
            bad + ":7: traffic.pools[0].region: unknown region, expected one of r, got \"q\"",
            "bulwark: " + bad + " is not a valid topology (2 errors)");
  }

  @Test
  void validateNamesADatabaseHostThatIsNoAddressAndExitsTwo() throws IOException {
    Path bad = dir.resolve("bulwark.yaml");
    Files.writeString(
        bad,
        "name: x\nregions:\n  - {name: r, role: primary, zones: [z]}\nservices:\n"
            + "  - {name: web, instances: {min: 1, max: 2}}\n"
            + "database:\n  name: db\n  primary: {region: r, host: 'db one'}\n");
    Run r = Run.of(new TopologyCommand(), "validate", bad.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines().toList())
        .containsExactly(
            bad
                + ":8: database.primary.host: expected an IPv4 address or a host name, like"
                + " 10.0.0.5 or db-2.example.com, got \"db one\"",
            "bulwark: " + bad + " is not a valid topology (1 error)");
  }

  @Test
  void validateJsonListsEveryErrorWithItsLineAndPath() throws IOException {
    Path bad = dir.resolve("bulwark.yaml");
    Files.writeString(
        bad,
        "name: x\nregions:\n  - {name: r, role: primary, zones: [z]}\nservices:\n"
            + "  - {name: web, instances: {min: 1, max: 2}, grace-period: soon}\n");
    Run r = Run.of(new TopologyCommand(), "validate", "--json", bad.toString());
    assertThat(r.exit()).isEqualTo(2);
    var n = Json.parse(r.out());
    assertThat(n.get("valid").asBoolean()).isFalse();
    assertThat(n.get("errors")).hasSize(1);
    assertThat(n.get("errors").get(0).get("line").asInt()).isEqualTo(5);
    assertThat(n.get("errors").get(0).get("path").asText()).isEqualTo("services[0].grace-period");

    Run ok = Run.of(new TopologyCommand(), "validate", "--json", Run.example("multi-cloud.yaml"));
    assertThat(ok.exit()).isZero();
    assertThat(Json.parse(ok.out()).get("valid").asBoolean()).isTrue();
    assertThat(Json.parse(ok.out()).get("regions").asInt()).isEqualTo(3);
  }

  @Test
  void schemaPrintsTheJsonSchema() {
    Run r = Run.of(new TopologyCommand(), "schema");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo(TopologyFile.jsonSchema());
    assertThat(Json.parse(r.out()).get("properties").has("dr")).isTrue();
  }
}
