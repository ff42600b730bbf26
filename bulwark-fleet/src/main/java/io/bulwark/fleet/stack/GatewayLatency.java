package io.bulwark.fleet.stack;

import io.bulwark.fleet.Metric;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Mean response time in milliseconds of the requests the gateway answered from some pools' targets
 * between two samples (the load balancer's target response time). As a {@link Metric} for target
 * tracking it is the group's figure, not a per-instance one: twice the target asks for twice the
 * instances. {@code NaN} when no request was answered. Not thread-safe: one sampler per instance.
 */
public final class GatewayLatency implements Metric {
  private final GatewayTimers timers;

  private GatewayLatency(MeterRegistry registry, Set<String> pools) {
    this.timers = new GatewayTimers(registry, pools);
  }

  /** The mean latency of requests answered by targets of {@code pools}. */
  public static GatewayLatency of(MeterRegistry registry, Set<String> pools) {
    return new GatewayLatency(
        Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(pools, "pools"));
  }

  @Override
  public double sample(Instant now, int inService) {
    GatewayTimers.Window w = timers.next(now);
    return w == null || w.requests() == 0 ? Double.NaN : w.totalMillis() / w.requests();
  }
}
