package io.bulwark.states.durable;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Told when a top-level execution ends FAILED because a Task state kept failing: its Retry attempts
 * ran out (or it had none) and no Catch took the error. It runs inside the transaction that records
 * the failure, after the execution's {@link CompletionListener}, so what it writes on {@code
 * transaction} (a dead letter, say) commits exactly when the failure does. It only observes: the
 * execution fails with the same error, cause and history as without it. If it throws, the
 * transaction rolls back and the step is tried again once its lease runs out (the task is delivered
 * again with the same idempotency token).
 *
 * <p>Failures inside Parallel branches or Map iterations are not reported (the execution fails in
 * the Parallel or Map state, not in a Task state).
 */
@FunctionalInterface
public interface TaskFailureListener {

  /**
   * A task that failed its execution.
   *
   * @param execution the execution as it has just ended (FAILED, stopped in {@code state})
   * @param state the Task state's name
   * @param resource the Task state's resource
   * @param error the task's last error, the execution's error
   * @param cause the task's last cause, the execution's cause (may be null)
   * @param attempts how many times the task ran in this run of the execution, {@code >= 1}
   * @param input the state's effective input (what the task was last called with)
   * @param failedAt when the last attempt's failure was recorded
   */
  record FailedTask(
      Execution execution,
      String state,
      String resource,
      String error,
      String cause,
      int attempts,
      JsonNode input,
      Instant failedAt) {}

  /** {@code failure} has just ended its execution; {@code transaction} is still open. */
  void taskFailed(Connection transaction, FailedTask failure) throws SQLException;
}
