package io.bulwark.fleet;

import java.time.Instant;

/**
 * A metric target tracking follows, as the average per in-service instance (requests per second per
 * instance, p99 latency, CPU percent, ...).
 */
@FunctionalInterface
public interface Metric {

  /**
   * The metric's current value.
   *
   * @param now the group's clock
   * @param inService instances in service now
   * @return the value, or {@code NaN} when there is no sample yet
   */
  double sample(Instant now, int inService);
}
