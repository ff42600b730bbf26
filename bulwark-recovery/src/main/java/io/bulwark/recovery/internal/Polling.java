package io.bulwark.recovery.internal;

import io.bulwark.states.StatesError;
import io.bulwark.topology.runbook.RunbookAsl;
import io.bulwark.topology.runbook.RunbookStep;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Waits for a step's success condition, checking it every quarter second. */
final class Polling {
  private static final Duration MIN_WAIT = Duration.ofSeconds(30);
  private static final Duration MAX_WAIT = Duration.ofMinutes(10);

  private Polling() {}

  /** How long a step may wait for its condition: twice its expected duration, 30 s to 10 min. */
  static Duration budget(RunbookStep step) {
    return budget(step.expectedDuration());
  }

  /** How long a step expected to take {@code expected} may wait: twice that, 30 s to 10 min. */
  static Duration budget(Duration expected) {
    Duration two = expected.multipliedBy(2);
    return two.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : two.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : two;
  }

  /**
   * Checks {@code condition} (empty: it holds; else why not) until it holds or {@code budget}
   * passes, then fails with {@code Runbook.StepFailed} and the last reason.
   */
  static void until(
      Clock clock, Duration budget, String what, Supplier<Optional<String>> condition) {
    Instant deadline = clock.instant().plus(budget);
    Optional<String> why = condition.get();
    while (why.isPresent()) {
      if (!clock.instant().isBefore(deadline)) {
        throw new StatesError(
            RunbookAsl.STEP_FAILED,
            what + " did not hold within " + budget.toSeconds() + " s: " + why.get());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
      if (Thread.currentThread().isInterrupted()) {
        throw new StatesError(RunbookAsl.STEP_FAILED, "interrupted while waiting for " + what);
      }
      why = condition.get();
    }
  }
}
