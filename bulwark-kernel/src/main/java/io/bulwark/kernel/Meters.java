package io.bulwark.kernel;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;

/** Conventions every Bulwark process applies to its meters. */
public final class Meters {

  /**
   * Latency buckets of every timer: Prometheus' default histogram buckets (5 ms … 10 s), so that
   * latencies aggregate across instances with {@code histogram_quantile} (a summary's quantiles do
   * not), at 11 series per timer rather than Micrometer's 70-odd default buckets.
   */
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private Meters() {}

  /**
   * Applies the conventions to {@code registry}: from now on its timers publish histograms with
   * {@link #LATENCY_BUCKETS} ({@code _bucket} series next to {@code _count} and {@code _sum}). Call
   * it before registering meters; returns {@code registry}.
   */
  public static <R extends MeterRegistry> R conventions(R registry) {
    registry.config().meterFilter(latencyHistograms());
    return registry;
  }

  /** The filter behind {@link #conventions}: latency buckets for timers, nothing else changed. */
  public static MeterFilter latencyHistograms() {
    double[] nanos = new double[LATENCY_BUCKETS.length];
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] = LATENCY_BUCKETS[i].toNanos();
    }
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(
          Meter.Id id, DistributionStatisticConfig config) {
        if (id.getType() != Meter.Type.TIMER && id.getType() != Meter.Type.LONG_TASK_TIMER) {
          return config;
        }
        return DistributionStatisticConfig.builder()
            .serviceLevelObjectives(nanos)
            .build()
            .merge(config);
      }
    };
  }
}
