package io.bulwark.states;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Runs the work of a Task state. Throw {@link StatesError} to fail with a named error; any other
 * exception fails the task with the exception's binary class name as the error ({@code
 * java.lang.IllegalStateException}, as the Lambda Java runtime names it) and its message as the
 * cause, the same as under the durable engine.
 */
@FunctionalInterface
public interface TaskHandler {
  /**
   * Invokes the task.
   *
   * @param stateName the Task state's name
   * @param resource the state's Resource
   * @param input the effective input (after InputPath and Parameters)
   * @param attempt 0 for the first attempt, then 1, 2, … for retries
   * @return the task result
   */
  JsonNode invoke(String stateName, String resource, JsonNode input, int attempt);
}
