package io.bulwark.topology.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DrAndRunbookCommandTest {

  @Test
  void planRecommendsTheCheapestStrategyAndTheChanges() {
    Run r =
        Run.of(
            new DrCommand(),
            "plan",
            Run.example("pilot-light.yaml"),
            "--rpo",
            "5m",
            "--rto",
            "30m");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("Targets: RPO 5m, RTO 30m")
        .contains("Recommended: warm standby (warm-standby, $$$)")
        .contains("add \"us-west-2: 1\" (or more) to placement.per-region of web")
        .contains("set dr.strategy: warm-standby")
        .contains("The file declares pilot-light, which does not meet these targets.");
  }

  @Test
  void planPrintsWhatEachRecommendedStrategyTakes() {
    String[][] cases = {
      {
        "24h",
        "24h",
        "backup-restore",
        "regular automated backups; backups stored in object storage;"
            + " cross-region copies of every backup; a documented and tested restore procedure"
      },
      {
        "4h",
        "4h",
        "pilot-light",
        "database replication to the DR region; minimal infrastructure"
            + " prepared in advance (stopped instances); machine images kept up to date; automated"
            + " start-up scripts"
      },
      {
        "5m",
        "30m",
        "warm-standby",
        "a fully working scaled-down environment; real-time data"
            + " synchronisation; regular switch-over tests; automated failover ready"
      },
      {
        "0s",
        "0s",
        "active-active",
        "fully redundant environments; real-time data"
            + " synchronisation; global load balancing; automatic failover"
      }
    };
    for (String[] c : cases) {
      Run r =
          Run.of(
              new DrCommand(),
              "plan",
              Run.example("pilot-light.yaml"),
              "--rpo",
              c[0],
              "--rto",
              c[1]);
      assertThat(r.exit()).isZero();
      assertThat(r.out()).contains("Recommended: ").contains("(" + c[2] + ", ");
      assertThat(r.out()).contains("It takes: " + c[3] + "\n");
    }
  }

  @Test
  void planTakesTheTargetsFromTheFileByDefault() {
    Run r = Run.of(new DrCommand(), "plan", Run.example("warm-standby.yaml"), "--json");
    JsonNode n = Json.parse(r.out());
    assertThat(n.get("target_rpo").asText()).isEqualTo("5m");
    assertThat(n.get("recommended").asText()).isEqualTo("warm-standby");
    assertThat(n.get("options").get(2).get("changes").size()).isZero();
  }

  @Test
  void planRejectsABadDurationAndMissingTargets() {
    Run bad =
        Run.of(
            new DrCommand(),
            "plan",
            Run.example("pilot-light.yaml"),
            "--rpo",
            "five",
            "--rto",
            "1h");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err())
        .isEqualTo("bulwark: --rpo: expected a duration like 30s, 5m, 1h or 7d, got \"five\"\n");
    Run none = Run.of(new DrCommand(), "plan", Run.example("single-az.yaml"));
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("has no dr section, so give the targets: --rpo");
  }

  @Test
  void runbookPrintsMarkdownWithNumberedSteps() {
    Run r = runbook(Run.example("pilot-light.yaml"));
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .startsWith("# Disaster Recovery Runbook – pilot-light-shop\n")
        .contains("- generated at: 2026-11-24T12:00:00Z")
        .contains("### 1. Verify primary failure in us-east-1")
        .contains("### 3. Promote database replica dr-1 in us-west-2")
        .contains("### 8. Verify the DR site in us-west-2")
        .contains("- rollback: start it again, or ALTER SYSTEM RESET")
        .contains("fail back to us-east-1 with bulwark dr failback --approve")
        .contains("- primary: oncall@company.com")
        .contains("### 9. Update external dependencies\n\nManual:\n\n- [ ] Update the CDN origin")
        .contains("### 10. Communication")
        .contains("- expected duration: ongoing");
    assertThat(r.out().split("bulwark dr ", -1))
        .as("the only bulwark command a runbook names is one the CLI has: dr failback")
        .hasSameSizeAs(r.out().split("bulwark dr failback ", -1));
  }

  @Test
  void runbookJsonHasTheTwoManualSteps() {
    Run r = runbook(Run.example("pilot-light.yaml"), "--json");
    assertThat(r.exit()).isZero();
    JsonNode steps = Json.parse(r.out()).get("steps");
    assertThat(steps.get(0).get("manual").asBoolean()).isTrue(); // Bulwark runs no DR step yet
    JsonNode external = steps.get(steps.size() - 2);
    assertThat(external.get("kind").asText()).isEqualTo("update-external-dependencies");
    assertThat(external.get("action").asText()).isEqualTo("Update external dependencies");
    assertThat(external.get("manual").asBoolean()).isTrue();
    assertThat(external.get("command").isNull()).isTrue();
    assertThat(external.get("expected_duration").asText()).isEqualTo("10 minutes");
    assertThat(external.get("manual_steps").get(0).asText())
        .isEqualTo("Update the CDN origin from us-east-1 to the DR site in us-west-2");
    JsonNode talk = steps.get(steps.size() - 1);
    assertThat(talk.get("kind").asText()).isEqualTo("communication");
    assertThat(talk.get("manual").asBoolean()).isTrue();
    assertThat(talk.get("expected_duration").asText()).isEqualTo("ongoing");
    assertThat(talk.get("manual_steps").get(0).asText())
        .contains("oncall@company.com")
        .contains("management@company.com");
  }

  @Test
  void runbookPrintsTheSeedsJsonKeys() {
    Run r = runbook(Run.example("warm-standby.yaml"), "--format", "json");
    JsonNode n = Json.parse(r.out());
    assertThat(n.get("title").asText()).isEqualTo("Disaster Recovery Runbook – warm-standby-shop");
    assertThat(n.get("generated_at").asText()).isEqualTo("2026-11-24T12:00:00Z");
    JsonNode first = n.get("steps").get(0);
    assertThat(first.get("step").asInt()).isEqualTo(1);
    assertThat(first.get("kind").asText()).isEqualTo("detect");
    assertThat(first.get("expected_duration").asText()).isEqualTo("90 seconds");
    assertThat(first.has("command")).isTrue();
    assertThat(first.has("success_check")).isTrue();
    assertThat(first.has("rollback")).isTrue();
    assertThat(n.get("contacts").get("vendor_support").get("aws").asText())
        .isEqualTo("enterprise-support-case");
  }

  private static Run runbook(String... args) {
    RunbookCommand cmd = new RunbookCommand();
    cmd.clock = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);
    return Run.of(cmd, args);
  }

  @Test
  void runbookNeedsADrSection() {
    Run r = Run.of(new RunbookCommand(), Run.example("single-az.yaml"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("no dr section");
  }

  @Test
  void runbookRejectsAnUnknownFormat() {
    Run r = Run.of(new RunbookCommand(), Run.example("pilot-light.yaml"), "--format", "pdf");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--format");
  }
}
