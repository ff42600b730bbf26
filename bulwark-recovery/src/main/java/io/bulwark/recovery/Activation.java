package io.bulwark.recovery;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An activation of DR: the durable execution that carries out the runbook, as its history shows it.
 *
 * @param executionArn the execution
 * @param status {@code RUNNING}, {@code SUCCEEDED}, {@code FAILED}, {@code TIMED_OUT} or {@code
 *     ABORTED}
 * @param startedAt when it started
 * @param stoppedAt when it ended, if it has
 * @param error the error it failed with ({@code Runbook.RolledBack} after a rollback), if it failed
 * @param cause the cause of that error
 * @param steps every state it entered, in order
 */
public record Activation(
    String executionArn,
    String status,
    Instant startedAt,
    Optional<Instant> stoppedAt,
    Optional<String> error,
    Optional<String> cause,
    List<StepRecord> steps) {

  public Activation {
    Objects.requireNonNull(executionArn, "executionArn");
    Objects.requireNonNull(status, "status");
    steps = List.copyOf(steps);
  }

  /** Whether it has ended. */
  public boolean done() {
    return !status.equals("RUNNING");
  }

  /** Seconds from start to end, or to {@code now} while it runs. */
  public double seconds(Instant now) {
    return java.time.Duration.between(startedAt, stoppedAt.orElse(now)).toMillis() / 1000.0;
  }
}
