package io.bulwark.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class PlacementProperties {

  @Property
  void evenPlacementUsesEveryInstanceAndZonesDifferByAtMostOne(
      @ForAll @IntRange(min = 0, max = 50) int count,
      @ForAll @IntRange(min = 1, max = 3) int regions,
      @ForAll @IntRange(min = 1, max = 4) int zonesPerRegion) {
    List<Zone> zones = new ArrayList<>();
    for (int r = 0; r < regions; r++) {
      for (int z = 0; z < zonesPerRegion; z++) {
        zones.add(Zone.of("r" + r, "z" + r + z));
      }
    }
    InstanceGroup g =
        InstanceGroup.create(
            GroupConfig.builder("web").size(0, 60, 0).zones(zones).build(),
            new FakeProvider(),
            Registrar.none(),
            FakeProvider.probe(),
            Clock.systemUTC());
    Map<Zone, Integer> placed = g.placement(count, zones);
    assertThat(placed.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(count);
    int most = placed.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    int least = placed.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    assertThat(most - least).isLessThanOrEqualTo(1);
  }
}
