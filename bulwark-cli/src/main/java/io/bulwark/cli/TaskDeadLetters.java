package io.bulwark.cli;

import io.bulwark.messaging.DeadLetter;
import io.bulwark.messaging.DeadLetterQueue;
import io.bulwark.messaging.Failure;
import io.bulwark.messaging.MessagingException;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.StatesException;
import io.bulwark.states.durable.TaskFailureListener;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Dead-letters the saga tasks of the durable engine: when a Task state's failure ends an execution
 * (retries exhausted, no Catch), a letter of source {@value Failure#TASK} is added in the
 * transaction that records the failure, and replaying it redrives the execution from the failed
 * state, once.
 *
 * <p>A letter: consumer = the state machine, topic = the Task state, key = the execution's ARN,
 * messageId = {@code <execution ARN>#run-<redriveCount>} (one letter per failed run, so an
 * execution redriven and failing again gets a new letter), payload = the state's input, error =
 * {@code <error>: <cause>}, attempts = the task's attempts in that run, createdAt = the execution's
 * start. Replay redrives only while the execution is still in the failed run the letter names;
 * otherwise (already redriven, by a replay or through the API) it reports it already applied.
 *
 * <p>The server's own machines (the order saga, its compensation, replenishment) are not
 * dead-lettered: their owner handles their failures itself (the order saga compensates the order),
 * and the engine refuses to redrive them.
 *
 * <p>Built before the engine (its listener goes into the engine's builder) and {@link #attach
 * attached} to the engine and queue once both exist; a failure recorded before then is rolled back
 * and tried again after the step's lease, so none is lost.
 */
final class TaskDeadLetters implements TaskFailureListener {

  private static final String RUN = "#run-";

  private volatile Engine engine;
  private volatile DeadLetterQueue queue;

  /** Sets the engine whose executions are redriven and the queue letters go to; returns this. */
  TaskDeadLetters attach(Engine engine, DeadLetterQueue queue) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.queue = Objects.requireNonNull(queue, "queue");
    queue.onReplayOfSource(Failure.TASK, this::replay);
    return this;
  }

  @Override
  public void taskFailed(Connection transaction, FailedTask failure) throws SQLException {
    Engine e = engine;
    DeadLetterQueue q = queue;
    if (e == null || q == null) {
      throw new SQLException(
          "the dead-letter queue is not attached yet; the failed task of "
              + failure.execution().executionArn()
              + " is recorded once it is");
    }
    Execution execution = failure.execution();
    if (e.isOwn(execution.stateMachineName())) {
      return;
    }
    String error =
        failure.cause() == null || failure.cause().isEmpty()
            ? failure.error()
            : failure.error() + ": " + failure.cause();
    q.add(
        transaction,
        new Failure(
            Failure.TASK,
            execution.stateMachineName(),
            failure.state(),
            execution.executionArn(),
            execution.executionArn() + RUN + execution.redriveCount(),
            failure.input() == null ? "null" : failure.input().toString(),
            error.length() > 2000 ? error.substring(0, 2000) : error,
            Math.max(1, failure.attempts()),
            execution.startDate()));
  }

  /**
   * Redrives the letter's execution if it is still in the failed run the letter names; false when
   * it has been redriven since (the letter's effect already took place).
   */
  private boolean replay(DeadLetter letter) {
    int run = run(letter);
    String arn = letter.key();
    Execution now = engine.describe(arn);
    if (now.redriveCount() != run || now.status() != ExecutionStatus.FAILED) {
      return false;
    }
    try {
      engine.redrive(arn);
      return true;
    } catch (StatesException.Conflict e) {
      // redriven meanwhile through the API: done already
      if (engine.describe(arn).redriveCount() != run) {
        return false;
      }
      throw e;
    }
  }

  private static int run(DeadLetter letter) {
    String id = letter.messageId();
    int at = id.lastIndexOf(RUN);
    if (letter.key() == null || at < 0) {
      throw new MessagingException.InvalidInput(
          "id", "dead letter " + letter.id() + " is not a task letter of the durable engine");
    }
    try {
      return Integer.parseInt(id.substring(at + RUN.length()));
    } catch (NumberFormatException e) {
      throw new MessagingException.InvalidInput(
          "id", "dead letter " + letter.id() + " names no run of its execution: " + id);
    }
  }
}
