package io.bulwark.states.durable;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.states.StatesError;
import io.bulwark.states.TaskHandler;

/**
 * Runs the work of a Task state for the durable engine. Throw {@link StatesError} to fail with a
 * named error; any other exception fails the task with the exception's binary class name as the
 * error ({@code java.lang.IllegalStateException}, as the Lambda Java runtime names it) and its
 * message as the cause, the same as under the in-memory runner. For a {@code .waitForTaskToken}
 * resource the result is ignored: the execution waits for {@link Engine#sendTaskSuccess} or {@link
 * Engine#sendTaskFailure} with {@link TaskRequest#taskToken()}. A handler may instead {@linkplain
 * #joinsTransaction join the engine's transaction}, or {@linkplain #worksAroundCall work in the
 * transactions on either side} of a call made outside them.
 */
@FunctionalInterface
public interface DurableTaskHandler {
  /** Invokes the task; may be called more than once with the same idempotency token. */
  JsonNode invoke(TaskRequest request);

  /**
   * Whether {@code request} runs inside the transaction that records its outcome, through {@link
   * #invoke(TaskRequest, TaskTransaction)}: then what the task writes on the engine's connection
   * commits atomically with the outcome and the execution's next step (a crash can no longer
   * deliver it again after it took effect), a failure rolls those writes back, and consecutive such
   * tasks of an execution share one transaction. Only for short work on the engine's own database:
   * the execution stays locked while the task runs. Tasks with {@code TimeoutSeconds} or {@code
   * HeartbeatSeconds} always run outside. Default: no.
   */
  default boolean joinsTransaction(TaskRequest request) {
    return false;
  }

  /**
   * Invokes a task that {@linkplain #joinsTransaction joins} the engine's transaction. Default:
   * {@link #invoke(TaskRequest)}.
   */
  default JsonNode invoke(TaskRequest request, TaskTransaction transaction) {
    return invoke(request);
  }

  /**
   * Whether {@code request}, a task called outside the engine's transactions (it does not {@link
   * #joinsTransaction join} one), also works inside the two transactions on either side of the
   * call, so that what it records before and after the call commits with the execution's steps
   * instead of in transactions of its own:
   *
   * <ol>
   *   <li>{@link #before} in the transaction that commits just before the call (the one that ran
   *       the states before this one); what it returns reaches the call. It runs again on every
   *       delivery of the call (a crash after that commit and before the call delivers it again).
   *   <li>{@link #call} outside any transaction, bounded by the state's limits as {@link #invoke}.
   *   <li>{@link #after}, when the call succeeded, in the transaction that records the task's
   *       success and goes on with the next states.
   * </ol>
   *
   * A {@link StatesError} thrown by {@code before} or {@code after} fails the task, as one thrown
   * by the call, and rolls back what that part wrote. Only for short work on the engine's own
   * database (the execution is locked meanwhile). Default: no.
   */
  default boolean worksAroundCall(TaskRequest request) {
    return false;
  }

  /**
   * The part of a task that {@linkplain #worksAroundCall works around its call} before it, in the
   * engine's open {@code transaction}: returns what {@link #call} needs (or null). Default: null.
   */
  default JsonNode before(TaskRequest request, TaskTransaction transaction) {
    return null;
  }

  /**
   * The call of a task that {@linkplain #worksAroundCall works around it}, given what {@link
   * #before} returned. Default: {@link #invoke(TaskRequest)}.
   */
  default JsonNode call(TaskRequest request, JsonNode prepared) {
    return invoke(request);
  }

  /**
   * The part of a task that {@linkplain #worksAroundCall works around its call} after it succeeded
   * with {@code result}, in the engine's open {@code transaction} that records the success: returns
   * the task's result. Default: {@code result}.
   */
  default JsonNode after(TaskRequest request, JsonNode result, TaskTransaction transaction) {
    return result;
  }

  /** Adapts an in-memory {@link TaskHandler}. */
  static DurableTaskHandler of(TaskHandler handler) {
    return r -> handler.invoke(r.stateName(), r.resource(), r.input(), r.attempt());
  }
}
