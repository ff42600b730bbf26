package io.bulwark.topology;

import java.time.Duration;
import java.util.Objects;

/**
 * How instances join and are replaced.
 *
 * @param gracePeriod health check grace after an instance starts (cloud 300 s)
 * @param warmUp instance warm-up during a rolling refresh (cloud 300 s)
 * @param deregistrationDelay connection draining before an instance leaves (cloud 30 s)
 * @param minHealthyPercent share kept healthy during a rolling refresh (50)
 */
public record Rollout(
    Duration gracePeriod, Duration warmUp, Duration deregistrationDelay, int minHealthyPercent) {

  public Rollout {
    Objects.requireNonNull(gracePeriod, "gracePeriod");
    Objects.requireNonNull(warmUp, "warmUp");
    Objects.requireNonNull(deregistrationDelay, "deregistrationDelay");
    if (minHealthyPercent < 0 || minHealthyPercent > 100) {
      throw new IllegalArgumentException(
          "minHealthyPercent must be between 0 and 100, got " + minHealthyPercent);
    }
  }

  /** The profile's values. */
  public static Rollout defaults(Profile profile) {
    return new Rollout(
        profile.gracePeriod(),
        profile.warmUp(),
        profile.deregistrationDelay(),
        Profile.MIN_HEALTHY_PERCENT);
  }
}
