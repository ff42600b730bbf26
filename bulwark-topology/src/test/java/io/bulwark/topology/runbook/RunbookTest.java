package io.bulwark.topology.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.topology.DrStrategy;
import io.bulwark.topology.Examples;
import io.bulwark.topology.TopologyFile;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The DR runbook as data: steps, commands, durations, checks, rollbacks and contacts. */
class RunbookTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void pilotLightRunsTheSeedsStepsInOrder() {
    Runbook r = Runbook.of(Examples.load("pilot-light.yaml"), "pilot-light.yaml", CLOCK);
    assertThat(r.title()).isEqualTo("Disaster Recovery Runbook – pilot-light-shop");
    assertThat(r.generatedAt()).isEqualTo(Instant.parse("2026-11-24T12:00:00Z"));
    assertThat(r.fromRegion()).isEqualTo("us-east-1");
    assertThat(r.toRegion()).isEqualTo("us-west-2");
    assertThat(r.steps())
        .extracting(RunbookStep::kind)
        .containsExactly(
            StepKind.DETECT,
            StepKind.FENCE,
            StepKind.PROMOTE_REPLICA,
            StepKind.START_STANDBY,
            StepKind.SCALE_TO_PRODUCTION,
            StepKind.SWITCH_TRAFFIC,
            StepKind.UPDATE_MONITORING,
            StepKind.VERIFY,
            StepKind.UPDATE_EXTERNAL_DEPENDENCIES,
            StepKind.COMMUNICATION);
    assertThat(r.steps())
        .extracting(RunbookStep::number)
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    // Bulwark does not run DR steps yet: every step is done by hand and names no bulwark command
    assertThat(r.steps()).allMatch(RunbookStep::manual);
    assertThat(r.steps()).allSatisfy(s -> assertThat(s.command()).isEmpty());
    RunbookStep promote = r.steps().get(2);
    assertThat(promote.manualSteps()).containsExactly("Promote dr-1: SELECT pg_promote(); on it");
    assertThat(promote.successCheck()).contains("pg_is_in_recovery() returns false");
    assertThat(r.steps().get(4).manualSteps())
        .containsExactly("Scale us-west-2 to web=6 api=3 instances");
    assertThat(r.steps().get(4).rollback())
        .isEqualTo("scale us-west-2 back to web=0 api=0 instances");
    assertThat(r.steps().get(5).manualSteps().getFirst())
        .startsWith("Set the pool weights primary=0 dr=100 (the gateway's admin API");
    assertThat(r.steps().get(5).rollback())
        .isEqualTo("set the pool weights back to primary=100 dr=0");
    assertThat(r.steps().get(0).expectedDuration()).isEqualTo(Duration.ofSeconds(90));
    assertThat(r.steps().get(3).expectedDuration()).isEqualTo(Duration.ofSeconds(300));
    assertThat(r.steps().get(7).expectedDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(r.expectedDuration()).isLessThanOrEqualTo(DrStrategy.PILOT_LIGHT.rto());
    assertThat(r.contacts().primary()).contains("oncall@company.com");
    assertThat(r.contacts().vendorSupport()).containsEntry("datadog", "priority-support");
  }

  @Test
  void theLastTwoStepsAreManualAndNameTheTopologysContacts() {
    Runbook r = Runbook.of(Examples.load("pilot-light.yaml"), "pilot-light.yaml", CLOCK);
    RunbookStep external = r.steps().get(8);
    assertThat(external.manual()).isTrue();
    assertThat(external.command()).isEmpty();
    assertThat(external.action()).isEqualTo("Update external dependencies");
    assertThat(external.expectedDuration()).isEqualTo(Duration.ofMinutes(10));
    assertThat(external.manualSteps())
        .containsExactly(
            "Update the CDN origin from us-east-1 to the DR site in us-west-2",
            "Notify third-party integrations that requests now come from us-west-2",
            "Tell aws through enterprise-support-case that us-west-2 serves",
            "Tell datadog through priority-support that us-west-2 serves",
            "Update monitoring dashboards to show us-west-2 as the primary site");
    RunbookStep talk = r.steps().get(9);
    assertThat(talk.manual()).isTrue();
    assertThat(talk.ongoing()).isTrue();
    assertThat(talk.action()).isEqualTo("Communication");
    assertThat(talk.expectedDuration()).isZero();
    assertThat(talk.manualSteps()).hasSize(3);
    assertThat(talk.manualSteps().get(0))
        .isEqualTo(
            "Send notification to stakeholders: oncall@company.com (primary),"
                + " management@company.com (escalation)");
    assertThat(talk.manualSteps().get(1)).startsWith("Update the status page");
    assertThat(talk.manualSteps().get(2)).startsWith("Prepare the RCA timeline");
  }

  @Test
  void withoutContactsTheCommunicationStepSaysWhatIsMissing() {
    String yaml =
        """
        name: quiet
        profile: local
        regions:
          - {name: a, role: primary, zones: [a1, a2]}
          - {name: b, role: standby, zones: [b1]}
        services:
          - name: web
            instances: {min: 2, max: 4, desired: 3}
            placement: {per-region: {a: 2, b: 1}}
          - name: payments
            kind: external
            availability: 99.95
        dr: {strategy: warm-standby, rpo: 5m, rto: 30m}
        """;
    Runbook r = Runbook.of(TopologyFile.parse("quiet.yaml", yaml), "quiet.yaml", CLOCK);
    RunbookStep external = r.steps().get(r.steps().size() - 2);
    assertThat(external.manualSteps())
        .contains("Notify third-party integrations (payments) that requests now come from b");
    assertThat(external.expectedDuration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(r.steps().getLast().manualSteps().getFirst())
        .isEqualTo(
            "Send notification to stakeholders (no contacts in the topology: add a contacts"
                + " section)");
  }

  @Test
  void aStepHasACommandOrManualStepsButNotBoth() {
    assertThatThrownBy(
            () ->
                new RunbookStep(
                    1,
                    StepKind.COMMUNICATION,
                    "Communication",
                    "bulwark x",
                    Duration.ZERO,
                    "ok",
                    "none",
                    java.util.List.of("call")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step 1 needs either a command or manual steps, not both");
  }

  @Test
  void warmStandbySkipsStartingInstancesThatAlreadyRun() {
    Runbook r = Runbook.of(Examples.load("warm-standby.yaml"), "warm-standby.yaml", CLOCK);
    assertThat(r.steps()).extracting(RunbookStep::kind).doesNotContain(StepKind.START_STANDBY);
    assertThat(r.expectedDuration()).isLessThanOrEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void backupAndRestoreRestoresInsteadOfPromoting() {
    Runbook r = Runbook.of(Examples.load("multi-az.yaml"), "multi-az.yaml", CLOCK);
    assertThat(r.steps())
        .extracting(RunbookStep::kind)
        .contains(StepKind.RESTORE_BACKUP)
        .doesNotContain(StepKind.PROMOTE_REPLICA);
    assertThat(r.toRegion()).isEqualTo("us-west-2");
    assertThat(r.steps().get(2).manualSteps().getFirst())
        .startsWith(
            "Restore the newest base backup and the archived WAL into a new server in us-west-2");
  }

  @Test
  void activeActiveMovesOnlyTheFailedRegionsShare() {
    Runbook r = Runbook.of(Examples.load("multi-cloud.yaml"), "multi-cloud.yaml", CLOCK);
    assertThat(r.fromRegion()).isEqualTo("aws-us-east-1");
    assertThat(r.toRegion()).isEqualTo("azure-eastus");
    RunbookStep switchStep =
        r.steps().stream()
            .filter(s -> s.kind() == StepKind.SWITCH_TRAFFIC)
            .findFirst()
            .orElseThrow();
    assertThat(switchStep.manualSteps().getFirst())
        .startsWith("Set the pool weights aws=0 azure=80 gcp=20 ");
    assertThat(switchStep.rollback())
        .isEqualTo("set the pool weights back to aws=50 azure=30 gcp=20");
    RunbookStep scale =
        r.steps().stream()
            .filter(s -> s.kind() == StepKind.SCALE_TO_PRODUCTION)
            .findFirst()
            .orElseThrow();
    assertThat(scale.manualSteps()).containsExactly("Scale azure-eastus to app=5 instances");
  }

  @Test
  void aTopologyWithoutADrSectionHasNoRunbook() {
    assertThatThrownBy(() -> Runbook.of(Examples.load("single-az.yaml"), "single-az.yaml", CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("single-az.yaml: no dr section");
  }

  @Test
  void theLocalProfileMakesADrillFast() {
    String yaml =
        """
        name: drill
        profile: local
        regions:
          - {name: a, role: primary, zones: [a1, a2]}
          - {name: b, role: standby, zones: [b1]}
        services:
          - name: web
            instances: {min: 2, max: 4, desired: 3}
            placement: {per-region: {a: 2, b: 1}}
        database:
          name: db
          primary: {region: a}
          replicas: [{name: r1, region: b}]
          backups: {copy-to-region: b}
        dr: {strategy: warm-standby, rpo: 5m, rto: 30m}
        """;
    Runbook r = Runbook.of(TopologyFile.parse("drill.yaml", yaml), "drill.yaml", CLOCK);
    assertThat(r.expectedDuration()).isLessThan(Duration.ofMinutes(1));
  }
}
