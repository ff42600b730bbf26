package io.bulwark.testkit;

import java.time.Duration;
import java.time.Instant;

/** A UTC clock that tests move by hand; it stands still otherwise. */
public final class ManualClock extends UtcClock {
  private volatile Instant now;

  /** A clock at 2026-11-27T05:00:00Z. */
  public ManualClock() {
    this(Instant.parse("2026-11-27T05:00:00Z"));
  }

  /** A clock at {@code now}. */
  public ManualClock(Instant now) {
    this.now = now;
  }

  /** Moves the clock forward (or back, for a negative {@code d}). */
  public void advance(Duration d) {
    now = now.plus(d);
  }

  @Override
  public Instant instant() {
    return now;
  }
}
