package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import io.bulwark.states.internal.jsonata.JsonataEvaluator;
import io.bulwark.states.internal.jsonata.JsonataEvaluator.Scope;
import java.util.Map;

/**
 * One state being executed: where it is ({@code machine}, its {@code state} definition and {@code
 * name}) and what it sees (its {@code raw} input and the {@code context} object, which carries the
 * variables).
 */
record StateEnv(JsonNode machine, JsonNode state, String name, JsonNode raw, ObjectNode context) {
  private static final String JSONATA = "JSONata";

  /** State {@code name} of {@code machine}. */
  static StateEnv of(JsonNode machine, String name, JsonNode raw, ObjectNode context) {
    return new StateEnv(machine, machine.get("States").get(name), name, raw, context);
  }

  /** Whether the state's query language is JSONata. */
  boolean jsonata() {
    return JSONATA.equals(language());
  }

  String language() {
    if (state.has("QueryLanguage")) {
      return state.get("QueryLanguage").asText();
    }
    return machineLanguage();
  }

  String machineLanguage() {
    if (machine.has("QueryLanguage")) {
      return machine.get("QueryLanguage").asText();
    }
    String inherited = Variables.inheritedQueryLanguage(context);
    return inherited == null ? "JSONPath" : inherited;
  }

  Map<String, JsonNode> variables() {
    return Variables.of(context);
  }

  /** What JSONata expressions of this state see. */
  Scope scope() {
    return new Scope(
        name,
        Variables.enteredEventId(context),
        raw,
        null,
        null,
        Variables.visible(context),
        variables());
  }

  /** A {@code States.Runtime} error raised in this state. */
  StatesError runtime(String detail) {
    return new StatesError(
        "States.Runtime", Causes.inState(name, Variables.enteredEventId(context), detail));
  }

  /** A {@code States.QueryEvaluationError} raised in this state. */
  StatesError queryEvaluation(String detail) {
    return new StatesError(
        JsonataEvaluator.QUERY_EVALUATION_ERROR,
        Causes.inState(name, Variables.enteredEventId(context), detail));
  }

  /** Adds the state prefix to a cause raised below the interpreter (paths, intrinsics). */
  StatesError located(StatesError e) {
    String cause = e.causeText();
    if (cause == null || cause.startsWith("An error occurred while executing the state")) {
      return e;
    }
    return new StatesError(
        e.error(), Causes.inState(name, Variables.enteredEventId(context), cause), e);
  }
}
