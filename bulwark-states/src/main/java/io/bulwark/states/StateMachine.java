package io.bulwark.states;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.states.internal.InMemoryRunner;
import io.bulwark.states.internal.Validator;
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

  /** Runs one execution to its end. */
  public ExecutionResult run(JsonNode input, TaskHandler tasks, Sleeper sleeper) {
    return new InMemoryRunner(tasks, sleeper).run(definition, input, name);
  }
}
