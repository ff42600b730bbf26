package io.bulwark.topology;

import io.bulwark.kernel.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * Load balancer health check of a service (the seed's target group check).
 *
 * @param path HTTP path probed, default {@code /health}
 * @param interval time between probes (cloud 30 s)
 * @param timeout probe timeout (cloud 5 s), shorter than {@code interval}
 * @param healthyThreshold passes before healthy (2)
 * @param unhealthyThreshold failures before unhealthy (2)
 * @param matcher expected status, default {@code 200}
 */
public record HealthCheck(
    String path,
    Duration interval,
    Duration timeout,
    int healthyThreshold,
    int unhealthyThreshold,
    String matcher) {

  public HealthCheck {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(matcher, "matcher");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with /, got \"" + path + "\"");
    }
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    if (timeout.compareTo(interval) >= 0) {
      throw new IllegalArgumentException(
          "timeout must be shorter than the interval ("
              + Durations.format(interval)
              + "), got "
              + Durations.format(timeout));
    }
    if (healthyThreshold < 1 || unhealthyThreshold < 1) {
      throw new IllegalArgumentException(
          "thresholds must be >= 1, got " + healthyThreshold + "/" + unhealthyThreshold);
    }
  }

  /** The profile's check on {@code /health}. */
  public static HealthCheck defaults(Profile profile) {
    return new HealthCheck(
        "/health",
        profile.healthInterval(),
        profile.healthTimeout(),
        Profile.HEALTHY_THRESHOLD,
        Profile.UNHEALTHY_THRESHOLD,
        "200");
  }

  /** How long a dead instance keeps receiving traffic: unhealthy threshold × interval. */
  public Duration detectionTime() {
    return interval.multipliedBy(unhealthyThreshold);
  }
}
