package io.bulwark.states;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.states.internal.InMemoryRunner;
import io.bulwark.states.internal.Validator;
import java.time.Clock;
import java.util.List;

/** A validated Amazon States Language state machine that runs in-process. */
public final class StateMachine {
  private final JsonNode definition;
  private final String name;

  private StateMachine(JsonNode definition, String name) {
    this.definition = definition;
    this.name = name;
  }

  /**
   * Parses and validates a definition.
   *
   * @throws IllegalArgumentException listing every validation error with its JSON path
   */
  public static StateMachine of(String json, String name) {
    JsonNode node;
    try {
      node = new ObjectMapper().readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "definition is not valid JSON: " + e.getOriginalMessage(), e);
    }
    List<String> errors = Validator.validate(node);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid definition:\n" + String.join("\n", errors));
    }
    return new StateMachine(node, name);
  }

  /** Validation errors of a definition (each prefixed with its JSON path); empty when valid. */
  public static List<String> validate(JsonNode definition) {
    return Validator.validate(definition);
  }

  /** Runs one execution to its end on the UTC system clock. */
  public ExecutionResult run(JsonNode input, TaskHandler tasks, Sleeper sleeper) {
    return run(input, tasks, sleeper, Clock.systemUTC());
  }

  /**
   * Runs one execution to its end, reading the time ({@code $$.Execution.StartTime}, {@code
   * $$.State.EnteredTime}, Timestamp waits, the execution's TimeoutSeconds) from {@code clock}.
   * What {@code sleeper} is asked to wait counts as passed even if the clock does not show it (a
   * sleeper that records instead of waiting).
   */
  public ExecutionResult run(JsonNode input, TaskHandler tasks, Sleeper sleeper, Clock clock) {
    return new InMemoryRunner(tasks, sleeper, clock).run(definition, input, name);
  }
}
