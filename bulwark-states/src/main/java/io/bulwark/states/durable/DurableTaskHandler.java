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
 * #joinsTransaction join the engine's transaction}.
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

  /** Adapts an in-memory {@link TaskHandler}. */
  static DurableTaskHandler of(TaskHandler handler) {
    return r -> handler.invoke(r.stateName(), r.resource(), r.input(), r.attempt());
  }
}
