package io.bulwark.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Whatever dies, the group comes back to its desired size, spread evenly over usable zones. */
class ConvergenceProperties {
  static final List<Zone> ZONES = List.of(Zone.of("r", "a"), Zone.of("r", "b"), Zone.of("r", "c"));

  @Property(tries = 200)
  void convergesToDesiredEvenlySpreadAfterAnyFailures(
      @ForAll @IntRange(min = 1, max = 9) int desired,
      @ForAll @Size(max = 12) List<@net.jqwik.api.From("faults") Integer> faults,
      @ForAll boolean zoneDown) {
    ManualClock clock = new ManualClock();
    FakeProvider provider = new FakeProvider();
    RecordingRegistrar registrar = new RecordingRegistrar();
    InstanceGroup g =
        InstanceGroup.create(
            GroupConfig.builder("web").size(0, 12, desired).zones(ZONES).build(),
            provider,
            registrar,
            FakeProvider.probe(),
            clock);
    run(g, clock, 5);
    if (zoneDown) {
      provider.refused.add(ZONES.get(0));
      provider.alive().stream().filter(i -> i.zone().equals(ZONES.get(0))).forEach(i -> i.kill());
    }
    for (int f : faults) {
      List<FakeProvider.FakeInstance> alive = provider.alive();
      if (f >= 0 && !alive.isEmpty()) {
        alive.get(f % alive.size()).kill();
      } else if (f < 0 && !alive.isEmpty()) {
        alive.get(-f % alive.size()).ready = false;
      }
      run(g, clock, 3);
    }
    run(g, clock, 80);

    List<InstanceStatus> inService = g.status().in(Lifecycle.IN_SERVICE);
    assertThat(inService).hasSize(desired);
    assertThat(inService).allSatisfy(i -> assertThat(i.healthy()).isTrue());
    assertThat(registrar.registered)
        .containsExactlyInAnyOrderElementsOf(inService.stream().map(InstanceStatus::id).toList());
    Map<Zone, Long> byZone =
        inService.stream()
            .collect(Collectors.groupingBy(InstanceStatus::zone, Collectors.counting()));
    List<Zone> usable = zoneDown ? ZONES.subList(1, 3) : ZONES;
    assertThat(byZone.keySet()).allSatisfy(z -> assertThat(usable).contains(z));
    long most = usable.stream().mapToLong(z -> byZone.getOrDefault(z, 0L)).max().orElse(0);
    long least = usable.stream().mapToLong(z -> byZone.getOrDefault(z, 0L)).min().orElse(0);
    assertThat(most - least).isLessThanOrEqualTo(1);
    assertThat(provider.alive()).hasSize(desired);
  }

  @Provide
  Arbitrary<Integer> faults() {
    return Arbitraries.integers().between(-20, 20);
  }

  static void run(InstanceGroup g, ManualClock clock, int ticks) {
    for (int k = 0; k < ticks; k++) {
      g.tick();
      clock.advance(Duration.ofMillis(100));
    }
  }
}
