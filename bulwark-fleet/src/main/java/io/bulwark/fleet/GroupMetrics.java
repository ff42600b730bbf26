package io.bulwark.fleet;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The seed's enabled instance-group metrics as Micrometer gauges, read from the group's status each
 * time they are scraped: {@code fleet.group.min.size}, {@code fleet.group.max.size} and {@code
 * fleet.group.desired.capacity} per group, {@code fleet.group.in.service.instances} and {@code
 * fleet.group.total.instances} per group and zone (tags {@code group}, {@code region}, {@code
 * zone}), and the counter {@code fleet.group.instance.seconds} (what the group cost). In Prometheus
 * text these become {@code fleet_group_min_size}, {@code fleet_group_instance_seconds_total} and so
 * on.
 */
public final class GroupMetrics {

  private GroupMetrics() {}

  /** Registers {@code group}'s gauges in {@code registry}. */
  public static void bind(InstanceGroup group, MeterRegistry registry) {
    String name = group.name();
    gauge(registry, "fleet.group.min.size", "minimum size", group, s -> s.min(), name, null);
    gauge(registry, "fleet.group.max.size", "maximum size", group, s -> s.max(), name, null);
    gauge(
        registry,
        "fleet.group.desired.capacity",
        "desired number of instances",
        group,
        s -> s.desired(),
        name,
        null);
    FunctionCounter.builder("fleet.group.instance.seconds", group, InstanceGroup::instanceSeconds)
        .description("instance-seconds used: instances launched and not yet gone, over time")
        .tag("group", name)
        .register(registry);
    for (Zone zone : group.config().zones()) {
      gauge(
          registry,
          "fleet.group.in.service.instances",
          "instances in service",
          group,
          s -> s.in(Lifecycle.IN_SERVICE).stream().filter(i -> i.zone().equals(zone)).count(),
          name,
          zone);
      gauge(
          registry,
          "fleet.group.total.instances",
          "instances not yet gone, in any state",
          group,
          s -> s.instances().stream().filter(i -> i.zone().equals(zone)).count(),
          name,
          zone);
    }
  }

  private static void gauge(
      MeterRegistry registry,
      String metric,
      String description,
      InstanceGroup group,
      ToDoubleFunction<GroupStatus> value,
      String name,
      Zone zone) {
    Gauge.Builder<InstanceGroup> b =
        Gauge.builder(metric, group, g -> value.applyAsDouble(g.status()))
            .description(description)
            .tag("group", name);
    if (zone != null) {
      b.tag("region", zone.region()).tag("zone", zone.name());
    }
    b.register(registry);
  }
}
