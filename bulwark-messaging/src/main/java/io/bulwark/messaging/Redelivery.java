package io.bulwark.messaging;

import io.bulwark.eventstore.Backoff;
import java.time.Duration;
import java.util.Objects;

/**
 * How a bus retries a message whose effect failed before setting it aside in the dead-letter queue.
 *
 * @param maxAttempts attempts before the message is dead-lettered, 1..100
 * @param backoff the wait after each failed attempt
 */
public record Redelivery(int maxAttempts, Backoff backoff) {

  /** Checks the values. */
  public Redelivery {
    if (maxAttempts < 1 || maxAttempts > 100) {
      throw new IllegalArgumentException("maxAttempts must be in 1..100 but was " + maxAttempts);
    }
    Objects.requireNonNull(backoff, "backoff");
  }

  /** Five attempts, waiting 200 ms, then 400 ms, … at most 10 s in between. */
  public static Redelivery defaults() {
    return new Redelivery(5, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), 2));
  }
}
