package io.bulwark.topology.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.topology.Profile;
import io.bulwark.topology.Region;
import io.bulwark.topology.Service;
import io.bulwark.topology.Topology;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;

/** Properties of the availability arithmetic. */
class AvailabilityProperties {

  @Property
  void formattedDowntimeReadsBackWithinHalfAPercent(
      @ForAll @DoubleRange(min = 0.0001, max = 1_000_000) @Scale(6) double minutes) {
    double back = DowntimeBudget.parse(DowntimeBudget.format(minutes));
    assertThat(Math.abs(back - minutes)).isLessThanOrEqualTo(minutes * 0.005 + 1e-12);
  }

  @Property
  void formattingWhatWasReadBackGivesTheSameText(
      @ForAll @DoubleRange(min = 0.0001, max = 1_000_000) @Scale(6) double minutes) {
    String once = DowntimeBudget.format(minutes);
    assertThat(DowntimeBudget.format(DowntimeBudget.parse(once))).isEqualTo(once);
  }

  @Property
  void higherAvailabilityNeverAllowsMoreDowntime(
      @ForAll @DoubleRange(min = 0, max = 100) double a,
      @ForAll @DoubleRange(min = 0, max = 100) double b) {
    DowntimeBudget lo = DowntimeBudget.of(Math.min(a, b));
    DowntimeBudget hi = DowntimeBudget.of(Math.max(a, b));
    assertThat(hi.minutesPerYear()).isLessThanOrEqualTo(lo.minutesPerYear());
    assertThat(hi.minutesPerMonth()).isLessThanOrEqualTo(lo.minutesPerMonth());
  }

  @Property
  void parallelRedundancyNeverLowersAvailability(
      @ForAll @IntRange(min = 1, max = 12) int instances,
      @ForAll @IntRange(min = 1, max = 3) int zones,
      @ForAll @DoubleRange(min = 50, max = 100) double instanceAvailability) {
    double before = composite(instances, zones, instanceAvailability);
    double moreInstances = composite(instances + 1, zones, instanceAvailability);
    double moreZones = composite(instances, zones + 1, instanceAvailability);
    assertThat(moreInstances).isGreaterThanOrEqualTo(before);
    assertThat(moreZones).isGreaterThanOrEqualTo(before);
  }

  @Property
  void aSynchronousDependencyNeverRaisesAvailability(
      @ForAll @IntRange(min = 1, max = 6) int instances,
      @ForAll @DoubleRange(min = 50, max = 100) double external) {
    Topology alone = topology(instances, 3, 99.5, false, external);
    Topology calling = topology(instances, 3, 99.5, true, external);
    assertThat(CompositeAvailability.of(calling).availability())
        .isLessThanOrEqualTo(CompositeAvailability.of(alone).availability());
  }

  private static double composite(int instances, int zones, double instanceAvailability) {
    return CompositeAvailability.of(topology(instances, zones, instanceAvailability, false, 99.9))
        .availability();
  }

  private static Topology topology(
      int instances, int zones, double instanceAvailability, boolean callsExternal, double ext) {
    List<String> zoneNames = List.of("z1", "z2", "z3", "z4").subList(0, zones);
    Service.Builder web =
        Service.builder("web", Profile.CLOUD)
            .instances(Service.Instances.of(1, 100, instances))
            .availability(instanceAvailability)
            .placement(new Service.Placement(List.of("r1"), List.of(), Map.of()));
    Topology.Builder b =
        Topology.builder("t").region(Region.of("r1", Region.Role.PRIMARY, zoneNames));
    if (callsExternal) {
      web.dependsOn(Service.Dependency.sync("psp"));
      b.service(
          Service.builder("psp", Profile.CLOUD)
              .kind(Service.Kind.EXTERNAL)
              .availability(ext)
              .build());
    }
    return b.service(web.build()).build();
  }
}
