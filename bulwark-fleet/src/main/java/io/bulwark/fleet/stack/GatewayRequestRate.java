package io.bulwark.fleet.stack;

import io.bulwark.fleet.Metric;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Requests per second the gateway answered from some pools' targets, read from its {@code
 * bulwark.gateway.requests} timers between two samples. As a {@link Metric} it is the rate per
 * in-service instance, for target tracking. Not thread-safe: one sampler per instance.
 */
public final class GatewayRequestRate implements Metric {
  private final GatewayTimers timers;

  private GatewayRequestRate(MeterRegistry registry, Set<String> pools) {
    this.timers = new GatewayTimers(registry, pools);
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
    GatewayTimers.Window w = timers.next(now);
    return w == null ? Double.NaN : w.requests() / w.seconds();
  }

  @Override
  public double sample(Instant now, int inService) {
    double total = total(now);
    return Double.isNaN(total) || inService == 0 ? Double.NaN : total / inService;
  }
}
