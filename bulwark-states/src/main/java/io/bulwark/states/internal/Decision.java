package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;

/**
 * What one non-blocking step of a state decided. The caller carries it out (calls the task, waits,
 * runs the branches) and reports back to the {@link Interpreter}, so a step can be run in memory or
 * persisted between steps by a durable engine.
 */
public sealed interface Decision {
  /** Go to state {@code state} with {@code output} as its raw input. */
  record Next(String state, JsonNode output) implements Decision {}

  /** The machine (or branch) ends successfully with {@code output}. */
  record Succeed(JsonNode output) implements Decision {}

  /** The machine (or branch) ends with the named error. */
  record Fail(String error, String cause) implements Decision {}

  /**
   * Call task resource {@code resource} with {@code payload}; report the outcome with {@link
   * Interpreter#taskSucceeded} or {@link Interpreter#taskFailed} with the same {@link RetryState}.
   * {@code timeout} and {@code heartbeat} are the Task's TimeoutSeconds and HeartbeatSeconds
   * (resolved from their paths or expressions), null when the state sets none; past them the task
   * fails with {@code States.Timeout} or {@code States.HeartbeatTimeout}.
   */
  record InvokeTask(
      String resource, JsonNode payload, RetryState retry, Duration timeout, Duration heartbeat)
      implements Decision {
    /** A task call without timeouts. */
    public InvokeTask(String resource, JsonNode payload, RetryState retry) {
      this(resource, payload, retry, null, null);
    }
  }

  /** Wait for {@code duration} (a Wait state), then carry out {@code then} (Next or Succeed). */
  record Wait(Duration duration, Decision then) implements Decision {}

  /**
   * A retrier matched the error: wait {@code delay} (back-off incl. MaxDelaySeconds and jitter),
   * then step the same state again with {@code retry}.
   */
  record Retry(Duration delay, RetryState retry, String error, String cause) implements Decision {}

  /**
   * Run every branch (Parallel branches or Map items) as its own sub-machine from its StartAt, then
   * report the outcomes in branch order with {@link Interpreter#branchesCompleted}. A caller
   * running them one by one may stop early when {@link Interpreter#branchesSettled} says so.
   */
  record RunBranches(List<Branch> branches, RetryState retry) implements Decision {}

  /** One branch to run: a machine ({@code StartAt}+{@code States}), its input and context. */
  record Branch(JsonNode machine, JsonNode input, ObjectNode context) {}

  /** How a branch ended. */
  sealed interface BranchOutcome {
    /** The branch succeeded with {@code output}. */
    record Succeeded(JsonNode output) implements BranchOutcome {}

    /** The branch failed with the named error. */
    record Failed(String error, String cause) implements BranchOutcome {}
  }
}
