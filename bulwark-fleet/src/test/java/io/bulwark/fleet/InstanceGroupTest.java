package io.bulwark.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.fleet.FakeProvider.FakeInstance;
import io.bulwark.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InstanceGroupTest {
  static final Zone A = Zone.of("r1", "a");
  static final Zone B = Zone.of("r1", "b");
  static final Zone C = Zone.of("r1", "c");

  final ManualClock clock = new ManualClock();
  final FakeProvider provider = new FakeProvider();
  final RecordingRegistrar registrar = new RecordingRegistrar();

  InstanceGroup group(GroupConfig.Builder config) {
    return InstanceGroup.create(config.build(), provider, registrar, FakeProvider.probe(), clock);
  }

  static GroupConfig.Builder threeZones(int min, int max, int desired) {
    return GroupConfig.builder("web").size(min, max, desired).zone(A).zone(B).zone(C);
  }

  /** Ticks {@code n} times, moving the clock 100 ms each time. */
  void run(InstanceGroup g, int n) {
    for (int k = 0; k < n; k++) {
      g.tick();
      clock.advance(Duration.ofMillis(100));
    }
  }

  static Map<Zone, Long> byZone(List<FakeInstance> instances) {
    return instances.stream().collect(Collectors.groupingBy(Instance::zone, Collectors.counting()));
  }

  @Test
  void spreadsDesiredInstancesEvenlyOverZones() {
    InstanceGroup g = group(threeZones(1, 9, 7));
    run(g, 5);
    assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(7);
    assertThat(byZone(provider.alive()))
        .containsEntry(A, 3L)
        .containsEntry(B, 2L)
        .containsEntry(C, 2L);
    assertThat(registrar.registered).hasSize(7);
  }

  @Test
  void placesFixedCountsPerRegionAndSpreadsTheRest() {
    InstanceGroup g =
        group(
            GroupConfig.builder("app")
                .size(6, 18, 6)
                .zone(Zone.of("aws", "a1"))
                .zone(Zone.of("aws", "a2"))
                .zone(Zone.of("azure", "z1"))
                .zone(Zone.of("gcp", "g1"))
                .perRegion("aws", 3)
                .perRegion("azure", 2)
                .perRegion("gcp", 1));
    run(g, 5);
    Map<String, Long> perRegion =
        provider.alive().stream()
            .collect(Collectors.groupingBy(i -> i.zone().region(), Collectors.counting()));
    assertThat(perRegion)
        .containsEntry("aws", 3L)
        .containsEntry("azure", 2L)
        .containsEntry("gcp", 1L);
  }

  @Test
  void registersAnInstanceOnlyOnceItsHealthCheckPasses() {
    provider.readyOnLaunch = false;
    InstanceGroup g = group(threeZones(1, 3, 1));
    run(g, 5);
    assertThat(g.status().in(Lifecycle.PENDING)).hasSize(1);
    assertThat(registrar.registered).isEmpty();

    provider.launched.get(0).ready = true;
    run(g, 3);
    assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(1);
    assertThat(registrar.registered).containsExactly("web-1");
  }

  @Test
  void replacesADeadInstanceAtOnceInItsZone() {
    InstanceGroup g = group(threeZones(3, 3, 3));
    run(g, 5);
    FakeInstance victim = provider.byId("web-2");
    victim.kill();
    run(g, 1);
    assertThat(registrar.registered).doesNotContain("web-2");
    run(g, 3);
    assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(3);
    assertThat(provider.byId("web-4").zone()).isEqualTo(victim.zone());
    assertThat(g.events()).extracting(GroupEvent::kind).contains(GroupEvent.Kind.DIED);
  }

  @Test
  void replacesAnInstanceThatIsNotReadyWithinItsGracePeriod() {
    provider.readyOnLaunch = false;
    InstanceGroup g = group(threeZones(1, 1, 1).gracePeriod(Duration.ofSeconds(2)));
    run(g, 19);
    assertThat(provider.launched).hasSize(1);
    run(g, 3);
    assertThat(provider.launched.get(0).stopped).isTrue();
    assertThat(provider.launched).hasSize(2);
    assertThat(g.events())
        .anySatisfy(e -> assertThat(e.detail()).contains("not ready within its grace period"));
  }

  @Test
  void ignoresFailedChecksDuringTheGracePeriodThenReplacesAnUnhealthyInstance() {
    InstanceGroup g =
        group(
            threeZones(1, 1, 1)
                .gracePeriod(Duration.ofSeconds(5))
                .healthCheckInterval(Duration.ofMillis(200))
                .unhealthyThreshold(2));
    run(g, 5);
    FakeInstance first = provider.launched.get(0);
    first.ready = false;
    run(g, 10);
    assertThat(g.status().instances())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.state()).isEqualTo(Lifecycle.IN_SERVICE);
              assertThat(i.healthy()).isFalse();
            });
    run(g, 40);
    assertThat(first.stopped).isTrue();
    assertThat(provider.launched).hasSize(2);
    assertThat(registrar.registered).containsExactly("web-2");
  }

  @Test
  void keepsInstancesThatAreAliveButNotReadyWhenLivenessDecides() {
    // readiness fails on every instance at once (their shared database fails over); liveness holds
    HealthProbe readyOrAlive =
        new HealthProbe() {
          @Override
          public CompletableFuture<Boolean> check(Instance i) {
            return FakeProvider.probe().check(i);
          }

          @Override
          public CompletableFuture<Boolean> alive(Instance i) {
            return CompletableFuture.completedFuture(i.isAlive());
          }
        };
    InstanceGroup g =
        InstanceGroup.create(
            threeZones(3, 3, 3)
                .gracePeriod(Duration.ofSeconds(1))
                .healthCheckInterval(Duration.ofMillis(200))
                .unhealthyThreshold(2)
                .build(),
            provider,
            registrar,
            readyOrAlive,
            clock);
    run(g, 20);
    assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(3);
    provider.launched.forEach(i -> i.ready = false);
    run(g, 40);
    assertThat(provider.launched).hasSize(3).noneMatch(i -> i.stopped);
    assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(3);

    // a dead process still fails liveness and is replaced
    provider.launched.get(0).kill();
    provider.launched.forEach(i -> i.ready = true);
    run(g, 40);
    assertThat(provider.launched).hasSize(4);
    assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(3);
  }

  @Test
  void launchesInTheOtherZonesWhileAZoneRefuses() {
    InstanceGroup g = group(threeZones(6, 6, 6));
    run(g, 5);
    provider.refused.add(A);
    provider.alive().stream().filter(i -> i.zone().equals(A)).forEach(FakeInstance::kill);
    run(g, 5);
    assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(6);
    assertThat(byZone(provider.alive()))
        .doesNotContainKey(A)
        .containsEntry(B, 3L)
        .containsEntry(C, 3L);
    assertThat(g.events()).extracting(GroupEvent::kind).contains(GroupEvent.Kind.ZONE_IMPAIRED);
  }

  @Test
  void keepsADrainingInstanceRunningUntilItsRequestsFinishOrTheDelayPasses() {
    registrar.drainAtOnce = false;
    InstanceGroup g = group(threeZones(1, 3, 3).deregistrationDelay(Duration.ofSeconds(2)));
    run(g, 5);
    g.setDesired(2);
    run(g, 1);
    List<InstanceStatus> draining = g.status().in(Lifecycle.DRAINING);
    assertThat(draining).hasSize(1);
    FakeInstance victim = provider.byId(draining.get(0).id());
    assertThat(registrar.registered).doesNotContain(victim.id()).hasSize(2);
    run(g, 10);
    assertThat(victim.stopped).as("stopped while draining").isFalse();
    registrar.draining.get(victim.id()).complete(null);
    run(g, 1);
    assertThat(victim.stopped).isTrue();

    g.setDesired(1);
    run(g, 1);
    FakeInstance second = provider.byId(g.status().in(Lifecycle.DRAINING).get(0).id());
    run(g, 19);
    assertThat(second.stopped).isFalse();
    run(g, 2);
    assertThat(second.stopped).as("stopped once the deregistration delay passed").isTrue();
  }

  @Test
  void rollingRefreshReplacesEveryInstanceWithoutDroppingBelowTheMinimumHealthyShare() {
    InstanceGroup g =
        group(threeZones(4, 8, 4).minHealthyPercent(75).warmUp(Duration.ofMillis(500)));
    run(g, 5);
    g.startRefresh();
    int lowest = Integer.MAX_VALUE;
    for (int k = 0; k < 200 && !g.status().refresh().orElseThrow().done(); k++) {
      run(g, 1);
      lowest = Math.min(lowest, g.status().healthyInService());
    }
    RefreshStatus r = g.status().refresh().orElseThrow();
    assertThat(r.done()).isTrue();
    assertThat(lowest).isGreaterThanOrEqualTo(3);
    assertThat(r.minHealthyPercentSeen()).isGreaterThanOrEqualTo(75.0);
    assertThat(provider.alive())
        .hasSize(4)
        .allSatisfy(i -> assertThat(i.generation()).isEqualTo(2));
  }

  @Test
  void rollingRefreshAtAHundredPercentLaunchesBeforeItStops() {
    InstanceGroup g = group(threeZones(2, 4, 2).minHealthyPercent(100).warmUp(Duration.ZERO));
    run(g, 5);
    g.startRefresh();
    for (int k = 0; k < 100 && !g.status().refresh().orElseThrow().done(); k++) {
      run(g, 1);
      assertThat(g.status().healthyInService()).isGreaterThanOrEqualTo(2);
    }
    assertThat(g.status().refresh().orElseThrow().done()).isTrue();
    run(g, 3);
    assertThat(provider.alive())
        .hasSize(2)
        .allSatisfy(i -> assertThat(i.generation()).isEqualTo(2));
  }

  @Test
  void targetTrackingScalesOutAtOnceAndInOnlyAfterTheCooldown() {
    InstanceGroup g = group(threeZones(2, 10, 2));
    AtomicReference<Double> totalRate = new AtomicReference<>(100.0);
    g.track(
        new TargetTracking(
            "requests/s per instance", 50, Duration.ofMillis(500), Duration.ofSeconds(3)),
        (now, inService) -> totalRate.get() / inService);
    run(g, 5);
    assertThat(g.status().desired()).isEqualTo(2);

    totalRate.set(400.0);
    run(g, 6);
    assertThat(g.status().desired()).isEqualTo(8);
    run(g, 5);
    assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(8);

    totalRate.set(120.0);
    run(g, 20);
    assertThat(g.status().desired()).as("still within the cooldown").isEqualTo(8);
    run(g, 20);
    assertThat(g.status().desired()).isEqualTo(3);
    run(g, 5);
    assertThat(provider.alive()).hasSize(3);
  }

  @Test
  void withSeveralPoliciesTheGroupTakesTheLargestSizeAnyAsksFor() {
    InstanceGroup g = group(threeZones(2, 10, 2));
    // group totals, shared by the instances in service: requests/s and CPU % of one core
    AtomicReference<Double> requests = new AtomicReference<>(80.0);
    AtomicReference<Double> cpu = new AtomicReference<>(60.0);
    g.track(
        new TargetTracking(
            "requests/s per instance", 50, Duration.ofMillis(500), Duration.ofSeconds(3)),
        (now, inService) -> requests.get() / inService);
    g.track(
        new TargetTracking("CPU % per instance", 60, Duration.ofMillis(500), Duration.ofSeconds(3)),
        (now, inService) -> cpu.get() / inService);
    run(g, 5);
    assertThat(g.status().desired()).isEqualTo(2);

    cpu.set(240.0); // 120% on each of 2: CPU asks for 4 while requests/s asks for 2
    run(g, 10);
    assertThat(g.status().desired()).isEqualTo(4);
    assertThat(g.events())
        .anySatisfy(e -> assertThat(e.detail()).contains("scales out to 4: CPU % per instance"));

    cpu.set(60.0);
    requests.set(400.0); // requests/s alone asks for 8: out again at once
    run(g, 10);
    assertThat(g.status().desired()).isEqualTo(8);

    requests.set(80.0); // now both ask for fewer: in only after the cooldown, to what they ask
    run(g, 20);
    assertThat(g.status().desired()).as("still within the cooldown").isEqualTo(8);
    run(g, 20);
    assertThat(g.status().desired()).isEqualTo(2);
  }

  @Test
  void countsTheInstanceSecondsItUses() {
    InstanceGroup g = group(threeZones(1, 3, 3));
    run(g, 1); // launches 3 at t = 0
    run(g, 100); // 10 s with 3 instances
    assertThat(g.instanceSeconds()).isCloseTo(30.0, org.assertj.core.data.Offset.offset(0.31));
    g.setDesired(1);
    run(g, 100); // 10 s more, 1 instance once the two drained (a few ticks)
    assertThat(g.instanceSeconds()).isBetween(40.0, 42.0);
  }

  @Test
  void scheduledActionPreScalesAtItsTime() {
    InstanceGroup g = group(threeZones(2, 6, 2));
    Instant peak = clock.instant().plusSeconds(10);
    g.schedule(
        new ScheduledAction(
            "black-friday", peak, OptionalInt.of(12), OptionalInt.of(30), OptionalInt.empty()));
    run(g, 50);
    assertThat(g.status().desired()).isEqualTo(2);
    run(g, 60);
    assertThat(g.status().min()).isEqualTo(12);
    assertThat(g.status().max()).isEqualTo(30);
    assertThat(g.status().desired()).isEqualTo(12);
    assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(12);
    assertThat(byZone(provider.alive()))
        .containsEntry(A, 4L)
        .containsEntry(B, 4L)
        .containsEntry(C, 4L);
  }

  @Test
  void rejectsADesiredCountOutsideItsLimits() {
    InstanceGroup g = group(threeZones(2, 4, 2));
    assertThatThrownBy(() -> g.setDesired(5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("desired must be between min (2) and max (4) but was 5");
  }

  @Test
  void closingDeregistersAndStopsEveryInstance() {
    InstanceGroup g = group(threeZones(3, 3, 3));
    run(g, 5);
    g.close();
    assertThat(registrar.registered).isEmpty();
    assertThat(provider.launched).allSatisfy(i -> assertThat(i.stopped).isTrue());
  }
}
