package io.bulwark.fleet.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each scenario, short, against real processes and the real gateway; its claim must hold. */
class ScenariosTest {
  static final ScenarioOptions SHORT =
      new ScenarioOptions(Duration.ofSeconds(3), 50, line -> System.out.println("  " + line));

  static ScenarioResult run(String name) {
    ScenarioResult r = Scenario.named(name).orElseThrow().run(SHORT);
    System.out.println(r.text());
    return r;
  }

  @Test
  void instanceCrashLosesNoRequestAndReplacesTheInstanceWithinItsGracePeriod() {
    ScenarioResult r = run("instance-crash");
    assertThat(r.violations()).isEmpty();
    assertThat(r.passed()).isTrue();
    assertThat(r.load().failed()).isZero();
    assertThat(r.load().sent()).isGreaterThan(100);
    assertThat((long) r.facts().get("replaced_ms")).isBetween(0L, (long) r.facts().get("grace_ms"));
  }

  @Test
  void rollingRefreshLosesNoRequestAndKeepsTheMinimumHealthyShare() {
    ScenarioResult r = run("rolling-refresh");
    assertThat(r.violations()).isEmpty();
    assertThat(r.load().failed()).isZero();
    assertThat((double) r.facts().get("min_healthy_seen_pct")).isGreaterThanOrEqualTo(50.0);
    assertThat(r.facts().get("replaced")).isEqualTo("4 of 4");
    assertThat(r.load().byLabel()).containsKeys("v1", "v2");
  }

  @Test
  void zoneLossLosesNoIdempotentRequestAndRestoresCapacityElsewhere() {
    ScenarioResult r = run("zone-loss");
    assertThat(r.violations()).isEmpty();
    assertThat(r.load().failed()).isZero();
    assertThat(r.facts().get("instances_lost")).isEqualTo(2);
    @SuppressWarnings("unchecked")
    Map<String, Integer> after = (Map<String, Integer>) r.facts().get("by_zone_after");
    assertThat(after)
        .doesNotContainKey("zone-a")
        .containsEntry("zone-b", 3)
        .containsEntry("zone-c", 3);
  }

  @Test
  void weightsSplitTenThousandRequestsFiftyThirtyTwenty() {
    ScenarioResult r = run("weights");
    assertThat(r.violations()).isEmpty();
    assertThat(r.load().sent()).isEqualTo(10_000);
    assertThat(r.load().percentOf("aws")).isCloseTo(50.0, org.assertj.core.data.Offset.offset(2.0));
    assertThat(r.load().percentOf("azure"))
        .isCloseTo(30.0, org.assertj.core.data.Offset.offset(2.0));
    assertThat(r.load().percentOf("gcp")).isCloseTo(20.0, org.assertj.core.data.Offset.offset(2.0));
  }

  @Test
  void headerRoutingSendsEveryPinnedRequestToItsCloud() {
    ScenarioResult r = run("header-routing");
    assertThat(r.violations()).isEmpty();
    assertThat(r.load().byLabel().keySet())
        .filteredOn(k -> !k.startsWith("none->"))
        .allSatisfy(k -> assertThat(k.split("->")[0]).isEqualTo(k.split("->")[1]));
  }
}
