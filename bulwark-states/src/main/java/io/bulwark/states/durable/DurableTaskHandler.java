package io.bulwark.states.durable;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.states.StatesError;
import io.bulwark.states.TaskHandler;

/**
 * Runs the work of a Task state for the durable engine. Throw {@link StatesError} to fail with a
 * named error; any other exception fails the task with the exception's class name as the error. For
 * a {@code .waitForTaskToken} resource the result is ignored: the execution waits for {@link
 * Engine#sendTaskSuccess} or {@link Engine#sendTaskFailure} with {@link TaskRequest#taskToken()}.
 */
@FunctionalInterface
public interface DurableTaskHandler {
  /** Invokes the task; may be called more than once with the same idempotency token. */
  JsonNode invoke(TaskRequest request);

  /** Adapts an in-memory {@link TaskHandler}. */
  static DurableTaskHandler of(TaskHandler handler) {
    return r -> handler.invoke(r.stateName(), r.resource(), r.input(), r.attempt());
  }
}
