package io.bulwark.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * CPU use of a group's instances in service, in percent of one core per instance, averaged over the
 * instances between two samples: the CPU time their processes used (from the operating system,
 * {@code /proc} on Linux) over the wall-clock time. Instances without a local process are left out;
 * {@code NaN} on the first sample or when no instance was seen in both. Not thread-safe: one
 * sampler per instance.
 */
public final class InstanceCpu implements Metric {

  private final InstanceGroup group;
  private final Map<Long, Duration> lastCpu = new HashMap<>();
  private Instant lastAt;

  private InstanceCpu(InstanceGroup group) {
    this.group = group;
  }

  /** The CPU use of {@code group}'s instances in service. */
  public static InstanceCpu of(InstanceGroup group) {
    return new InstanceCpu(Objects.requireNonNull(group, "group"));
  }

  @Override
  public double sample(Instant now, int inService) {
    Map<Long, Duration> cpu = new HashMap<>();
    for (InstanceStatus i : group.status().in(Lifecycle.IN_SERVICE)) {
      if (i.pid().isEmpty()) {
        continue;
      }
      Optional<Duration> used =
          ProcessHandle.of(i.pid().getAsLong()).flatMap(p -> p.info().totalCpuDuration());
      used.ifPresent(d -> cpu.put(i.pid().getAsLong(), d));
    }
    Instant previous = lastAt;
    Map<Long, Duration> before = Map.copyOf(lastCpu);
    lastAt = now;
    lastCpu.clear();
    lastCpu.putAll(cpu);
    if (previous == null) {
      return Double.NaN;
    }
    double wall = Duration.between(previous, now).toNanos();
    double sum = 0;
    int seen = 0;
    for (Map.Entry<Long, Duration> e : cpu.entrySet()) {
      Duration b = before.get(e.getKey());
      if (b != null) {
        sum += Math.max(0, e.getValue().minus(b).toNanos()) / wall;
        seen++;
      }
    }
    return wall <= 0 || seen == 0 ? Double.NaN : 100 * sum / seen;
  }
}
