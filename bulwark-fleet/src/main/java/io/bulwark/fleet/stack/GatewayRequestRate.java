package io.bulwark.fleet.stack;

import io.bulwark.fleet.Metric;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Requests per second the gateway answered from some pools' targets, read from its {@code
 * bulwark.gateway.requests} timers between two samples. As a {@link Metric} it is the rate per
 * in-service instance, for target tracking. Not thread-safe: one sampler per instance.
 */
public final class GatewayRequestRate implements Metric {
  private final MeterRegistry registry;
  private final Set<String> pools;
  private final Map<String, Long> lastCounts = new HashMap<>();
  private Instant lastAt;

  private GatewayRequestRate(MeterRegistry registry, Set<String> pools) {
    this.registry = registry;
    this.pools = Set.copyOf(pools);
  }

  /** The rate of requests answered by targets of {@code pools}. */
  public static GatewayRequestRate of(MeterRegistry registry, Set<String> pools) {
    return new GatewayRequestRate(
        Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(pools, "pools"));
  }

  /**
   * Requests per second since the previous call ({@code NaN} on the first call).
   *
   * @param now the sampling time
   */
  public double total(Instant now) {
    long delta = 0;
    Map<String, Long> seen = new HashMap<>();
    for (Timer t : registry.find("bulwark.gateway.requests").timers()) {
      String pool = t.getId().getTag("pool");
      String target = t.getId().getTag("target");
      if (pool == null || target == null || !pools.contains(pool)) {
        continue;
      }
      String key = target + "|" + t.getId().getTag("status");
      long count = t.count();
      seen.put(key, count);
      delta += Math.max(0, count - lastCounts.getOrDefault(key, 0L));
    }
    lastCounts.clear();
    lastCounts.putAll(seen);
    Instant previous = lastAt;
    lastAt = now;
    if (previous == null) {
      return Double.NaN;
    }
    double seconds = Duration.between(previous, now).toNanos() / 1e9;
    return seconds <= 0 ? Double.NaN : delta / seconds;
  }

  @Override
  public double sample(Instant now, int inService) {
    double total = total(now);
    return Double.isNaN(total) || inService == 0 ? Double.NaN : total / inService;
  }
}
