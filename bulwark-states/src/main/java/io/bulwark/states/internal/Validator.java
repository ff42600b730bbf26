package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Checks a definition before it runs; every error names its JSON path. */
public final class Validator {
  private static final Set<String> TYPES =
      Set.of("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map");
  private static final Set<String> PATH_FIELDS = Set.of("InputPath", "OutputPath");

  private final List<String> errors = new ArrayList<>();

  private Validator() {}

  /** All validation errors of the definition, each starting with its JSON path; empty if valid. */
  public static List<String> validate(JsonNode definition) {
    Validator v = new Validator();
    v.machine(definition, "$");
    return v.errors;
  }

  private void error(String path, String message) {
    errors.add(path + ": " + message);
  }

  private void machine(JsonNode m, String at) {
    if (m == null || !m.isObject()) {
      error(at, "state machine must be a JSON object");
      return;
    }
    JsonNode states = m.get("States");
    if (states == null || !states.isObject() || states.isEmpty()) {
      error(at + ".States", "required, a non-empty object");
      return;
    }
    JsonNode start = m.get("StartAt");
    if (start == null || !start.isTextual()) {
      error(at + ".StartAt", "required, a state name");
    } else if (!states.has(start.asText())) {
      error(at + ".StartAt", "no state named '" + start.asText() + "'");
    }
    Iterator<String> names = states.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      state(states, name, states.get(name), at + ".States." + name);
    }
    if (start != null && states.has(start.asText())) {
      Set<String> seen = new HashSet<>();
      Deque<String> todo = new ArrayDeque<>(List.of(start.asText()));
      while (!todo.isEmpty()) {
        String n = todo.pop();
        if (!seen.add(n) || !states.has(n)) {
          continue;
        }
        JsonNode s = states.get(n);
        for (String f : List.of("Next", "Default")) {
          if (s.path(f).isTextual()) {
            todo.push(s.get(f).asText());
          }
        }
        for (JsonNode c : s.path("Choices")) {
          if (c.path("Next").isTextual()) {
            todo.push(c.get("Next").asText());
          }
        }
        for (JsonNode c : s.path("Catch")) {
          if (c.path("Next").isTextual()) {
            todo.push(c.get("Next").asText());
          }
        }
      }
      Iterator<String> all = states.fieldNames();
      while (all.hasNext()) {
        String n = all.next();
        if (!seen.contains(n)) {
          error(at + ".States." + n, "state is unreachable from StartAt");
        }
      }
    }
  }

  private void target(JsonNode states, JsonNode next, String at) {
    if (next == null || !next.isTextual()) {
      error(at, "must be a state name");
    } else if (!states.has(next.asText())) {
      error(at, "no state named '" + next.asText() + "'");
    }
  }

  private void state(JsonNode states, String name, JsonNode s, String at) {
    if (name.length() > 80) {
      error(at, "state name longer than 80 characters");
    }
    if (!s.isObject()) {
      error(at, "state must be a JSON object");
      return;
    }
    String type = s.path("Type").asText(null);
    if (type == null || !TYPES.contains(type)) {
      error(
          at + ".Type",
          "must be one of " + new java.util.TreeSet<>(TYPES) + " but was " + s.get("Type"));
      return;
    }
    boolean terminalType = type.equals("Succeed") || type.equals("Fail") || type.equals("Choice");
    boolean hasNext = s.has("Next");
    boolean end = s.path("End").asBoolean(false);
    if (terminalType) {
      if (hasNext) {
        error(at + ".Next", type + " state must not have Next");
      }
      if (s.has("End")) {
        error(at + ".End", type + " state must not have End");
      }
    } else if (hasNext && end) {
      error(at, "must not have both Next and End");
    } else if (!hasNext && !end) {
      error(at, "must have Next or End: true");
    } else if (hasNext) {
      target(states, s.get("Next"), at + ".Next");
    }
    for (String f : PATH_FIELDS) {
      if (s.has(f) && !s.get(f).isNull() && !Paths.isValid(s.get(f).asText())) {
        error(at + "." + f, "invalid JSONPath " + s.get(f));
      }
    }
    if (s.has("ResultPath")
        && !s.get("ResultPath").isNull()
        && !Paths.isReferencePath(s.get("ResultPath").asText())) {
      error(at + ".ResultPath", "must be a reference path but was " + s.get("ResultPath"));
    }
    switch (type) {
      case "Task" -> {
        if (!s.path("Resource").isTextual()) {
          error(at + ".Resource", "required for a Task state");
        }
        retryCatch(states, s, at);
      }
      case "Parallel" -> {
        if (!s.path("Branches").isArray() || s.get("Branches").isEmpty()) {
          error(at + ".Branches", "required, a non-empty array");
        } else {
          for (int i = 0; i < s.get("Branches").size(); i++) {
            machine(s.get("Branches").get(i), at + ".Branches[" + i + "]");
          }
        }
        retryCatch(states, s, at);
      }
      case "Map" -> {
        JsonNode p = s.has("ItemProcessor") ? s.get("ItemProcessor") : s.get("Iterator");
        if (p == null) {
          error(at + ".ItemProcessor", "required for a Map state");
        } else {
          machine(p, at + (s.has("ItemProcessor") ? ".ItemProcessor" : ".Iterator"));
        }
        retryCatch(states, s, at);
      }
      case "Choice" -> {
        if (!s.path("Choices").isArray() || s.get("Choices").isEmpty()) {
          error(at + ".Choices", "required, a non-empty array");
        } else {
          for (int i = 0; i < s.get("Choices").size(); i++) {
            target(states, s.get("Choices").get(i).get("Next"), at + ".Choices[" + i + "].Next");
          }
        }
        if (s.has("Default")) {
          target(states, s.get("Default"), at + ".Default");
        }
      }
      case "Wait" -> {
        int count = 0;
        for (String f : List.of("Seconds", "SecondsPath", "Timestamp", "TimestampPath")) {
          count += s.has(f) ? 1 : 0;
        }
        if (count != 1) {
          error(at, "Wait needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath");
        }
      }
      case "Fail" -> {
        if (s.has("Error") && s.has("ErrorPath")) {
          error(at, "must not have both Error and ErrorPath");
        }
        if (s.has("Cause") && s.has("CausePath")) {
          error(at, "must not have both Cause and CausePath");
        }
      }
      default -> {}
    }
  }

  private void retryCatch(JsonNode states, JsonNode s, String at) {
    for (int i = 0; i < s.path("Retry").size(); i++) {
      JsonNode r = s.get("Retry").get(i);
      String p = at + ".Retry[" + i + "]";
      if (!r.path("ErrorEquals").isArray() || r.get("ErrorEquals").isEmpty()) {
        error(p + ".ErrorEquals", "required, a non-empty array");
      }
      if (r.has("BackoffRate") && r.get("BackoffRate").asDouble() < 1.0) {
        error(p + ".BackoffRate", "must be >= 1.0 but was " + r.get("BackoffRate"));
      }
      if (r.has("MaxAttempts") && r.get("MaxAttempts").asInt() < 0) {
        error(p + ".MaxAttempts", "must be >= 0 but was " + r.get("MaxAttempts"));
      }
      if (r.has("IntervalSeconds") && r.get("IntervalSeconds").asInt() < 1) {
        error(p + ".IntervalSeconds", "must be >= 1 but was " + r.get("IntervalSeconds"));
      }
    }
    for (int i = 0; i < s.path("Catch").size(); i++) {
      JsonNode c = s.get("Catch").get(i);
      String p = at + ".Catch[" + i + "]";
      if (!c.path("ErrorEquals").isArray() || c.get("ErrorEquals").isEmpty()) {
        error(p + ".ErrorEquals", "required, a non-empty array");
      }
      target(states, c.get("Next"), p + ".Next");
    }
  }
}
