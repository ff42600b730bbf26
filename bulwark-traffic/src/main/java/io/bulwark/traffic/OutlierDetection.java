package io.bulwark.traffic;

import io.bulwark.kernel.Check;
import java.time.Duration;

/**
 * Passive health checking, as Envoy does it: after {@code consecutiveFailures} failed requests in a
 * row (connection refused or reset, timeout, or a 5xx answer) a target is ejected from load
 * balancing for {@code baseEjectionTime} times the number of times it has been ejected, capped at
 * {@code maxEjectionTime}. At most {@code maxEjectionPercent} of a pool's targets are ejected at
 * once, but always at least one.
 *
 * <p>{@link #defaults()}: 5 failures, 30 s base, 300 s cap, 50%. {@link #disabled()} never ejects.
 */
public record OutlierDetection(
    int consecutiveFailures,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    int maxEjectionPercent) {

  public OutlierDetection {
    if (consecutiveFailures < 0) {
      throw new IllegalArgumentException(
          "outlierDetection.consecutiveFailures must be >= 0 (0 disables) but was "
              + consecutiveFailures);
    }
    Check.positive("outlierDetection.baseEjectionTime", baseEjectionTime);
    Check.atLeast(
        "outlierDetection.maxEjectionTime", maxEjectionTime, "baseEjectionTime", baseEjectionTime);
    if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
      throw new IllegalArgumentException(
          "outlierDetection.maxEjectionPercent must be between 0 and 100 but was "
              + maxEjectionPercent);
    }
  }

  /** 5 consecutive failures eject for 30 s (growing to 300 s), at most 50% of a pool. */
  public static OutlierDetection defaults() {
    return new OutlierDetection(5, Duration.ofSeconds(30), Duration.ofSeconds(300), 50);
  }

  /** Never ejects. */
  public static OutlierDetection disabled() {
    return new OutlierDetection(0, Duration.ofSeconds(30), Duration.ofSeconds(300), 50);
  }

  /** Ejects after {@code failures} consecutive failures for {@code ejectionTime}. */
  public static OutlierDetection of(int failures, Duration ejectionTime) {
    return new OutlierDetection(
        failures, ejectionTime, max(ejectionTime, Duration.ofSeconds(300)), 50);
  }

  /** Whether ejection is on. */
  public boolean enabled() {
    return consecutiveFailures > 0;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
