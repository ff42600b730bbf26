package io.bulwark.testkit;

import java.time.Instant;

/**
 * A UTC clock on which time runs {@code factor} times faster than real time, from now on: durable
 * timers and retry back-offs of seconds fire within milliseconds, while their order and ratios stay
 * real.
 */
public final class FastClock extends UtcClock {
  private final Instant origin = Instant.now();
  private final long originNanos = System.nanoTime();
  private final long factor;

  /** A clock running {@code factor} (at least 1) times faster than real time. */
  public FastClock(long factor) {
    if (factor < 1) {
      throw new IllegalArgumentException("factor must be >= 1 but was " + factor);
    }
    this.factor = factor;
  }

  @Override
  public Instant instant() {
    return origin.plusNanos((System.nanoTime() - originNanos) * factor);
  }
}
