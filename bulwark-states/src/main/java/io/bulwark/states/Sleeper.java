package io.bulwark.states;

import java.time.Duration;

/** Waits for Wait states and Retry intervals; tests inject one that records instead of waiting. */
@FunctionalInterface
public interface Sleeper {
  /** Waits for the duration; throws when interrupted (with the flag restored). */
  void sleep(Duration duration);

  /** A sleeper that really waits. */
  static Sleeper real() {
    return d -> {
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StatesError("States.Runtime", "interrupted while waiting", e);
      }
    };
  }
}
