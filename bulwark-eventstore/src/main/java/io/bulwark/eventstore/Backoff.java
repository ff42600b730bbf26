package io.bulwark.eventstore;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait before retrying a failed handler or delivery: {@code initial}, multiplied by
 * {@code multiplier} after each failure, never more than {@code max}.
 *
 * @param initial wait after the first failure, {@code > 0}
 * @param max the longest wait, {@code >= initial}
 * @param multiplier growth per failure, {@code >= 1}
 */
public record Backoff(Duration initial, Duration max, double multiplier) {

  /** Checks the values. */
  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    Check.positive("initial", initial);
    Check.atLeast("max", max, "initial", initial);
    if (!(multiplier >= 1)) {
      throw new IllegalArgumentException("multiplier must be >= 1 but was " + multiplier);
    }
  }

  /** 100 ms, doubling, at most 30 s. */
  public static Backoff defaults() {
    return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), 2);
  }

  /** The wait after the {@code failures}-th consecutive failure ({@code failures >= 1}). */
  public Duration delay(int failures) {
    double nanos = initial.toNanos() * Math.pow(multiplier, Math.max(0, failures - 1));
    return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
  }
}
