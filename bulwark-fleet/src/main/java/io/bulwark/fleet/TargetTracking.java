package io.bulwark.fleet;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.Objects;

/**
 * Target tracking scaling: keeps a per-instance metric near {@code target} by setting desired to
 * {@code ceil(inService × value / target)}, within the group's min and max. It scales out at once
 * and scales in only when every evaluation over {@code scaleInCooldown} asked for fewer instances,
 * so a short dip does not remove capacity.
 *
 * @param metricName what is tracked, for events (e.g. {@code requests/s per instance})
 * @param target the value to hold per instance (> 0)
 * @param evaluationInterval time between evaluations
 * @param scaleInCooldown how long lower demand must last before instances are removed
 */
public record TargetTracking(
    String metricName, double target, Duration evaluationInterval, Duration scaleInCooldown) {

  public TargetTracking {
    Objects.requireNonNull(metricName, "metricName");
    if (!(target > 0) || Double.isInfinite(target)) {
      throw new IllegalArgumentException("target must be > 0 but was " + target);
    }
    Check.positive("evaluationInterval", evaluationInterval);
    Check.notNegative("scaleInCooldown", scaleInCooldown);
  }

  /** Tracks requests per second per instance, evaluated every second, scale-in after 30 s. */
  public static TargetTracking requestRate(double perInstance) {
    return new TargetTracking(
        "requests/s per instance", perInstance, Duration.ofSeconds(1), Duration.ofSeconds(30));
  }

  /** Tracks CPU percent per instance, evaluated every second, scale-in after 30 s. */
  public static TargetTracking cpu(double percent) {
    return new TargetTracking(
        "CPU % per instance", percent, Duration.ofSeconds(1), Duration.ofSeconds(30));
  }

  /** Tracks the mean response time in ms, evaluated every second, scale-in after 30 s. */
  public static TargetTracking latency(double millis) {
    return new TargetTracking(
        "mean latency ms", millis, Duration.ofSeconds(1), Duration.ofSeconds(30));
  }

  /**
   * Tracks the backlog per instance of a queue (its depth over the instances in service, see {@link
   * QueueBacklog}), evaluated every second, scale-in after 30 s. As AWS advises for queues, choose
   * {@code backlogPerInstance} as the longest acceptable wait divided by the time one instance
   * takes per queued item: the group then asks for {@code ceil(depth / backlogPerInstance)}
   * instances.
   */
  public static TargetTracking queueDepth(double backlogPerInstance) {
    return new TargetTracking(
        "backlog per instance", backlogPerInstance, Duration.ofSeconds(1), Duration.ofSeconds(30));
  }

  /** The desired count this metric value asks for, before min/max. */
  public int desiredFor(int inService, double value) {
    if (Double.isNaN(value) || inService == 0) {
      return inService;
    }
    return (int) Math.ceil(inService * value / target - 1e-9);
  }
}
