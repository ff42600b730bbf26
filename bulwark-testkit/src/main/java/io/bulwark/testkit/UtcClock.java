package io.bulwark.testkit;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The zone part of the test clocks: always UTC. */
abstract class UtcClock extends Clock {

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
