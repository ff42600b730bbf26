package io.bulwark.recovery;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One state of an activation as its execution history shows it: a runbook step or a rollback.
 *
 * @param state the state's name, e.g. {@code 3 promote-replica} or {@code Roll back 5
 *     scale-to-production}
 * @param status {@code RUNNING}, {@code SUCCEEDED} or {@code FAILED} (its last attempt failed or
 *     timed out)
 * @param startedAt when the state was entered
 * @param seconds how long it ran, to its last event
 * @param attempts how many times its task ran (retries included)
 * @param detail what its executor reported, or the error and cause of the failure
 */
public record StepRecord(
    String state, String status, Instant startedAt, double seconds, int attempts, String detail) {

  public StepRecord {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(detail, "detail");
  }

  /** Whether it is a rollback rather than a step of the failover. */
  public boolean rollback() {
    return state.startsWith("Roll back ");
  }

  /** The runbook step number its state name starts with, if any. */
  public Optional<Integer> number() {
    String s = rollback() ? state.substring("Roll back ".length()) : state;
    int space = s.indexOf(' ');
    try {
      return Optional.of(Integer.parseInt(space < 0 ? s : s.substring(0, space)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
