package io.bulwark.topology.dr;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.topology.DrStrategy;
import io.bulwark.topology.Examples;
import io.bulwark.topology.Topology;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Choosing the cheapest strategy for RPO/RTO targets, and what it takes. */
class DrPlanTest {

  @Test
  void recommendsWarmStandbyForFiveMinutesAndHalfAnHour() {
    DrPlan plan =
        DrPlan.of(Examples.load("pilot-light.yaml"), Duration.ofMinutes(5), Duration.ofMinutes(30));
    assertThat(plan.recommended()).isEqualTo(DrStrategy.WARM_STANDBY);
    assertThat(plan.current()).contains(DrStrategy.PILOT_LIGHT);
    assertThat(plan.recommendation().changes())
        .extracting(DrStrategy.Gap::change)
        .containsExactly(
            "add \"us-west-2: 1\" (or more) to placement.per-region of web",
            "add \"us-west-2: 1\" (or more) to placement.per-region of api");
  }

  @Test
  void recommendsTheCheapestStrategyThatMeetsTheTargets() {
    Topology t = Examples.load("multi-az.yaml");
    assertThat(DrPlan.of(t, Duration.ofHours(24), Duration.ofHours(24)).recommended())
        .isEqualTo(DrStrategy.BACKUP_RESTORE);
    assertThat(DrPlan.of(t, Duration.ofHours(4), Duration.ofHours(6)).recommended())
        .isEqualTo(DrStrategy.PILOT_LIGHT);
    assertThat(DrPlan.of(t, Duration.ofMinutes(5), Duration.ofHours(1)).recommended())
        .isEqualTo(DrStrategy.WARM_STANDBY);
    assertThat(DrPlan.of(t, Duration.ZERO, Duration.ofMinutes(29)).recommended())
        .isEqualTo(DrStrategy.ACTIVE_ACTIVE);
  }

  @Test
  void listsWhatASingleRegionTopologyNeedsForActiveActive() {
    DrPlan plan = DrPlan.of(Examples.load("single-az.yaml"), Duration.ZERO, Duration.ZERO);
    assertThat(plan.recommended()).isEqualTo(DrStrategy.ACTIVE_ACTIVE);
    assertThat(plan.recommendation().changes())
        .extracting(DrStrategy.Gap::problem)
        .containsExactly(
            "active-active needs at least 2 regions with role primary or active, got 1 (us-east-1)");
  }

  @Test
  void findsNothingMissingWhenTheTopologyIsReady() {
    DrPlan plan =
        DrPlan.of(
            Examples.load("warm-standby.yaml"), Duration.ofMinutes(5), Duration.ofMinutes(30));
    assertThat(plan.recommended()).isEqualTo(DrStrategy.WARM_STANDBY);
    assertThat(plan.recommendation().changes()).isEmpty();
  }
}
