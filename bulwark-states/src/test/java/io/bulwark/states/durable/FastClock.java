package io.bulwark.states.durable;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock on which time runs {@code factor} times faster than real time, so timers fire soon. */
final class FastClock extends Clock {
  private final Instant origin = Instant.now();
  private final long originNanos = System.nanoTime();
  private final long factor;

  FastClock(long factor) {
    this.factor = factor;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return origin.plusNanos((System.nanoTime() - originNanos) * factor);
  }
}
