package io.bulwark.fleet.stack;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's {@code bulwark.gateway.requests} timers of some pools' targets, read as the
 * difference between two samples. Not thread-safe: one reader per sampler.
 */
final class GatewayTimers {

  /** What the pools' targets answered between two samples. */
  record Window(long requests, double totalMillis, double seconds) {}

  private record Totals(long count, double millis) {}

  private final MeterRegistry registry;
  private final Set<String> pools;
  private final Map<String, Totals> last = new HashMap<>();
  private Instant lastAt;

  GatewayTimers(MeterRegistry registry, Set<String> pools) {
    this.registry = registry;
    this.pools = Set.copyOf(pools);
  }

  /** The window since the previous call; null on the first call or when no time passed. */
  Window next(Instant now) {
    long requests = 0;
    double millis = 0;
    Map<String, Totals> seen = new HashMap<>();
    for (Timer t : registry.find("bulwark.gateway.requests").timers()) {
      String pool = t.getId().getTag("pool");
      String target = t.getId().getTag("target");
      if (pool == null || target == null || !pools.contains(pool)) {
        continue;
      }
      String key = target + "|" + t.getId().getTag("status");
      Totals current = new Totals(t.count(), t.totalTime(TimeUnit.MILLISECONDS));
      Totals before = last.getOrDefault(key, new Totals(0, 0));
      seen.put(key, current);
      if (current.count() >= before.count()) {
        requests += current.count() - before.count();
        millis += Math.max(0, current.millis() - before.millis());
      }
    }
    last.clear();
    last.putAll(seen);
    Instant previous = lastAt;
    lastAt = now;
    if (previous == null) {
      return null;
    }
    double seconds = Duration.between(previous, now).toNanos() / 1e9;
    return seconds <= 0 ? null : new Window(requests, millis, seconds);
  }
}
