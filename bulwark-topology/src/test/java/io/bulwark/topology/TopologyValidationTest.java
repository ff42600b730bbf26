package io.bulwark.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each rule of the topology file, broken once, with the exact message a user sees. */
class TopologyValidationTest {

  private static final String VALID =
      """
      name: shop
      regions:
        - name: us-east-1
          role: primary
          zones: [a1, a2]
        - name: us-west-2
          role: standby
          zones: [b1]
      services:
        - name: web
          instances: {min: 2, max: 4, desired: 2}
          placement:
            regions: [us-east-1]
          depends-on:
            - service: api
        - name: api
          instances: {min: 2, max: 4, desired: 2}
      database:
        name: db
        primary: {region: us-east-1, zone: a1}
        replicas:
          - {name: r1, region: us-east-1, zone: a2, mode: sync}
        backups: {copy-to-region: us-west-2}
      traffic:
        pools:
          - {name: main, region: us-east-1, service: web}
      dr:
        strategy: backup-restore
        rpo: 24h
        rto: 24h
      """;

  private static List<String> errors(String yaml) {
    return TopologyFile.errors("bulwark.yaml", yaml).stream().map(TopologyError::toString).toList();
  }

  @Test
  void acceptsTheBaseFileUsedByTheOtherCases() {
    assertThat(errors(VALID)).isEmpty();
    Topology t = TopologyFile.parse("bulwark.yaml", VALID);
    assertThat(t.services()).extracting(Service::name).containsExactly("web", "api");
  }

  @Test
  void cutsALongOffendingValueShortInTheMessage() {
    String long80 = "x".repeat(80);
    assertThat(errors(long80))
        .containsExactly("bulwark.yaml:1: expected a mapping, got \"" + "x".repeat(60) + "…\"");
  }

  @Test
  void rejectsAnUnknownKeyNamingTheKnownOnes() {
    String yaml =
        VALID.replace(
            "    instances: {min: 2, max: 4, desired: 2}\n    placement:",
            "    replicas: 3\n    instances: {min: 2, max: 4, desired: 2}\n    placement:");
    assertThat(errors(yaml))
        .containsExactly(
            "bulwark.yaml:11: services[0].replicas: unknown key, expected one of name, kind,"
                + " stateful, availability, instances, placement, health-check, grace-period,"
                + " warm-up, deregistration-delay, rolling, depends-on");
  }

  @Test
  void readsTheFailoverPolicyOrItsDefaults() {
    assertThat(TopologyFile.parse("bulwark.yaml", VALID).database().orElseThrow().failover())
        .isEqualTo(Database.Failover.defaults());
    String yaml =
        VALID.replace(
            "  backups: {copy-to-region: us-west-2}\n",
            "  backups: {copy-to-region: us-west-2}\n"
                + "  failover: {strict-sync: true, allow-async: true, max-lag: 16MB}\n");
    assertThat(errors(yaml)).isEmpty();
    assertThat(TopologyFile.parse("bulwark.yaml", yaml).database().orElseThrow().failover())
        .isEqualTo(new Database.Failover(true, true, 16L << 20));
    assertThat(errors(yaml.replace("max-lag: 16MB", "max-lag: lots")))
        .singleElement()
        .asString()
        .contains("database.failover.max-lag")
        .contains("a size like");
  }

  @Test
  void rejectsABadDuration() {
    assertThat(errors(VALID.replace("rpo: 24h", "rpo: five")))
        .containsExactly(
            "bulwark.yaml:29: dr.rpo: expected a duration like 30s, 5m, 1h or 7d, got \"five\"");
  }

  @Test
  void rejectsADurationWithoutAUnit() {
    assertThat(errors(VALID.replace("rto: 24h", "rto: 30")))
        .containsExactly(
            "bulwark.yaml:30: dr.rto: expected a duration like 30s, 5m, 1h or 7d, got 30");
  }

  @Test
  void rejectsMinGreaterThanMax() {
    assertThat(
            errors(
                VALID
                    .replace(
                        "{min: 2, max: 4, desired: 2}\n  - name: api",
                        "{min: 2, max: 4, desired: 2}\n  - name: api")
                    .replace(
                        "  - name: api\n    instances: {min: 2, max: 4, desired: 2}",
                        "  - name: api\n    instances: {min: 3, max: 2, desired: 2}")))
        .containsExactly("bulwark.yaml:17: services[1].instances: max must be >= min (3), got 2");
  }

  @Test
  void rejectsDesiredOutsideMinAndMax() {
    assertThat(
            errors(
                VALID.replace(
                    "  - name: api\n    instances: {min: 2, max: 4, desired: 2}",
                    "  - name: api\n    instances: {min: 2, max: 4, desired: 9}")))
        .containsExactly(
            "bulwark.yaml:17: services[1].instances: desired must be between min (2) and max (4),"
                + " got 9");
  }

  @Test
  void rejectsAReferenceToAnUnknownRegion() {
    assertThat(errors(VALID.replace("regions: [us-east-1]", "regions: [us-east-9]")))
        .containsExactly(
            "bulwark.yaml:13: services[0].placement.regions[0]: unknown region, expected one of"
                + " us-east-1, us-west-2, got \"us-east-9\"");
  }

  @Test
  void rejectsADependencyOnAnUnknownService() {
    assertThat(errors(VALID.replace("- service: api", "- service: payments")))
        .containsExactly(
            "bulwark.yaml:15: services[0].depends-on[0].service: unknown service, expected one of"
                + " web, api, got \"payments\"");
  }

  @Test
  void rejectsAReferenceToAnUnknownPool() {
    String yaml = VALID.replace("service: web}\n", "service: web}\n  fallback-pool: backup\n");
    assertThat(errors(yaml))
        .containsExactly(
            "bulwark.yaml:27: traffic.fallback-pool: unknown pool, expected one of main, got"
                + " \"backup\"");
  }

  @Test
  void readsEachDatabaseMembersHostOrTheLoopback() {
    Database db = TopologyFile.parse("bulwark.yaml", VALID).database().orElseThrow();
    assertThat(db.primary().host()).isEqualTo("127.0.0.1");
    String yaml =
        VALID.replace(
            "zone: a2, mode: sync}", "zone: a2, mode: sync, host: db-2.internal.example.com}");
    assertThat(errors(yaml)).isEmpty();
    assertThat(TopologyFile.parse("bulwark.yaml", yaml).database().orElseThrow().replicas())
        .singleElement()
        .extracting(r -> r.location().host())
        .isEqualTo("db-2.internal.example.com");
  }

  @Test
  void rejectsADatabaseHostThatIsNoAddressNamingItsPath() {
    assertThat(
            errors(
                VALID.replace("zone: a2, mode: sync}", "zone: a2, mode: sync, host: 300.1.2.3}")))
        .containsExactly(
            "bulwark.yaml:22: database.replicas[0].host: expected an IPv4 address or a host name,"
                + " like 10.0.0.5 or db-2.example.com, got \"300.1.2.3\"");
    assertThat(
            errors(
                VALID.replace(
                    "primary: {region: us-east-1, zone: a1}",
                    "primary: {region: us-east-1, zone: a1, host: \"db 1\"}")))
        .singleElement()
        .asString()
        .startsWith("bulwark.yaml:20: database.primary.host: expected an IPv4 address");
  }

  @Test
  void rejectsAnUnknownZoneForTheDatabase() {
    assertThat(errors(VALID.replace("zone: a2, mode: sync", "zone: b7, mode: sync")))
        .containsExactly(
            "bulwark.yaml:22: database.replicas[0].zone: unknown zone of region us-east-1,"
                + " expected one of a1, a2, got \"b7\"");
  }

  @Test
  void rejectsWeightsThatDoNotAddUpTo100() {
    String yaml =
        VALID.replace(
            "    - {name: main, region: us-east-1, service: web}",
            "    - {name: main, region: us-east-1, service: web, weight: 60}\n"
                + "    - {name: side, region: us-east-1, service: web, weight: 30}");
    assertThat(errors(yaml))
        .containsExactly(
            "bulwark.yaml:25: traffic.pools: pool weights must add up to 100, got 90 (main 60 +"
                + " side 30)");
  }

  @Test
  void rejectsADrStrategyTheTopologyCannotDeliver() {
    String yaml = VALID.replace("strategy: backup-restore", "strategy: warm-standby");
    assertThat(errors(yaml))
        .containsExactly(
            "bulwark.yaml:28: dr.strategy: warm-standby needs a database replica in region"
                + " us-west-2, got none",
            "bulwark.yaml:28: dr.strategy: warm-standby needs at least 1 running instance of web"
                + " in region us-west-2, got 0",
            "bulwark.yaml:28: dr.strategy: warm-standby needs at least 1 running instance of api"
                + " in region us-west-2, got 0");
  }

  @Test
  void rejectsBackupAndRestoreWithoutBackups() {
    String yaml = VALID.replace("  backups: {copy-to-region: us-west-2}\n", "");
    assertThat(errors(yaml))
        .containsExactly(
            "bulwark.yaml:27: dr.strategy: backup-restore needs automated backups of db, got none");
  }

  @Test
  void rejectsPerRegionCountsThatDoNotAddUpToDesired() {
    String yaml =
        VALID.replace(
            "  - name: api\n    instances: {min: 2, max: 4, desired: 2}",
            "  - name: api\n    instances: {min: 2, max: 4, desired: 2}\n"
                + "    placement:\n      per-region: {us-east-1: 2, us-west-2: 1}");
    assertThat(errors(yaml))
        .containsExactly(
            "bulwark.yaml:19: services[1].placement.per-region: per-region counts must add up to"
                + " instances.desired (2), got 3 (us-east-1 2 + us-west-2 1)");
  }

  @Test
  void rejectsAnUnknownEnumValue() {
    assertThat(errors(VALID.replace("role: standby", "role: backup")))
        .containsExactly(
            "bulwark.yaml:7: regions[1].role: expected one of primary, standby, active, got"
                + " \"backup\"");
  }

  @Test
  void rejectsAWrongType() {
    assertThat(
            errors(
                VALID.replace(
                    "min: 2, max: 4, desired: 2}\n    placement",
                    "min: two, max: 4, desired: 2}\n    placement")))
        .containsExactly(
            "bulwark.yaml:11: services[0].instances.min: expected a whole number, got \"two\"");
  }

  @Test
  void rejectsAMissingRequiredKey() {
    assertThat(errors(VALID.replace("    zones: [b1]\n", "")))
        .containsExactly("bulwark.yaml:6: regions[1].zones: required, got nothing");
  }

  @Test
  void rejectsADuplicateName() {
    assertThat(
            errors(
                VALID
                    .replace("  - name: api\n", "  - name: web\n")
                    .replace("- service: api", "- service: web2")))
        .contains(
            "bulwark.yaml:16: services[1].name: duplicate service name, first given on line 10,"
                + " got \"web\"");
  }

  @Test
  void rejectsADuplicateKey() {
    assertThat(errors(VALID.replace("name: shop\n", "name: shop\nname: shop2\n")))
        .containsExactly("bulwark.yaml:2: name: duplicate key, first given on line 1");
  }

  @Test
  void rejectsATimeoutNotShorterThanTheInterval() {
    String yaml =
        VALID.replace(
            "  - name: api\n    instances: {min: 2, max: 4, desired: 2}",
            "  - name: api\n    instances: {min: 2, max: 4, desired: 2}\n"
                + "    health-check: {interval: 5s, timeout: 10s}");
    assertThat(errors(yaml))
        .containsExactly(
            "bulwark.yaml:18: services[1].health-check: timeout must be shorter than the interval"
                + " (5s), got 10s");
  }

  @Test
  void rejectsADependencyCycle() {
    String yaml =
        VALID.replace(
            "  - name: api\n    instances: {min: 2, max: 4, desired: 2}",
            "  - name: api\n    instances: {min: 2, max: 4, desired: 2}\n"
                + "    depends-on:\n      - service: web");
    assertThat(errors(yaml))
        .containsExactly(
            "bulwark.yaml:14: services[0].depends-on: synchronous dependency cycle, got web → api"
                + " → web");
  }

  @Test
  void reportsEveryErrorNotJustTheFirst() {
    String yaml =
        VALID
            .replace("rpo: 24h", "rpo: soon")
            .replace("regions: [us-east-1]", "regions: [mars]")
            .replace("role: standby", "role: backup");
    assertThat(errors(yaml))
        .containsExactly(
            "bulwark.yaml:7: regions[1].role: expected one of primary, standby, active, got"
                + " \"backup\"",
            "bulwark.yaml:13: services[0].placement.regions[0]: unknown region, expected one of"
                + " us-east-1, us-west-2, got \"mars\"",
            "bulwark.yaml:29: dr.rpo: expected a duration like 30s, 5m, 1h or 7d, got \"soon\"");
  }

  @Test
  void reportsYamlSyntaxErrorsWithTheirLine() {
    assertThat(errors("name: shop\nregions: [a, b\nservices: []\n"))
        .singleElement()
        .asString()
        .startsWith("bulwark.yaml:3: not valid YAML: ");
  }

  @Test
  void reportsAnEmptyFile() {
    assertThat(errors("")).containsExactly("bulwark.yaml: the file is empty, expected a topology");
  }

  @Test
  void throwsWithAllErrorsWhenParsing() {
    assertThatThrownBy(
            () -> TopologyFile.parse("bulwark.yaml", VALID.replace("rpo: 24h", "rpo: x")))
        .isInstanceOf(InvalidTopologyException.class)
        .hasMessageContaining("1 error in topology")
        .satisfies(
            e ->
                assertThat(((InvalidTopologyException) e).errors())
                    .extracting(TopologyError::line)
                    .containsExactly(29));
  }
}
