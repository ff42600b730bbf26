package io.bulwark.kernel;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Time-ordered UUIDs (version 7, RFC 9562): sortable by creation time, so they index well in
 * B-trees, and random enough to be unguessable.
 */
public final class Ids {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** A new UUIDv7 using the system clock. */
  public static UUID newId() {
    return newId(Clock.systemUTC());
  }

  /** A new UUIDv7 whose timestamp comes from {@code clock}. */
  public static UUID newId(Clock clock) {
    long millis = clock.millis();
    long randA = RANDOM.nextInt(1 << 12);
    long msb = (millis << 16) | (0x7L << 12) | randA;
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
