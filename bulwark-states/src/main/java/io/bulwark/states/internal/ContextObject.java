package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** Builds the context object ({@code $$}) of an execution and of the state it is in. */
public final class ContextObject {
  private ContextObject() {}

  /**
   * The context of a new execution: {@code Execution.Id/Input/Name/StartTime} and {@code
   * StateMachine.Name}.
   */
  public static ObjectNode execution(
      String executionId,
      String executionName,
      JsonNode input,
      Instant startTime,
      String machineName) {
    ObjectNode context = JsonNodeFactory.instance.objectNode();
    ObjectNode execution = context.putObject("Execution");
    execution.put("Id", executionId);
    execution.set("Input", input);
    execution.put("Name", executionName);
    execution.put("StartTime", startTime.toString());
    context.putObject("StateMachine").put("Name", machineName);
    return context;
  }

  /** Sets {@code State.Name/EnteredTime/RetryCount} (0) on entering state {@code name}. */
  public static ObjectNode enterState(ObjectNode context, String name, Instant enteredTime) {
    ObjectNode state = JsonNodeFactory.instance.objectNode();
    state.put("Name", name);
    state.put("EnteredTime", enteredTime.toString());
    state.put("RetryCount", 0);
    context.set("State", state);
    return context;
  }
}
