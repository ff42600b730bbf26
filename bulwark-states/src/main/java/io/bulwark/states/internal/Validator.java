package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.states.internal.jsonata.JsonataEvaluator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks a definition before it runs; every error names its JSON path. */
public final class Validator {
  private static final Set<String> TYPES =
      Set.of("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map");
  private static final Set<String> PATH_FIELDS = Set.of("InputPath", "OutputPath");
  private static final String JSONATA = "JSONata";
  private static final String JSONPATH = "JSONPath";
  private static final Set<String> COMMON = Set.of("Type", "Comment", "QueryLanguage");

  /** Fields only JSONPath states may have, in the order they are reported. */
  private static final List<String> JSONPATH_ONLY =
      List.of(
          "InputPath",
          "Parameters",
          "ResultSelector",
          "ResultPath",
          "OutputPath",
          "ItemsPath",
          "SecondsPath",
          "TimestampPath",
          "TimeoutSecondsPath",
          "HeartbeatSecondsPath",
          "ErrorPath",
          "CausePath",
          "MaxConcurrencyPath",
          "ToleratedFailureCountPath",
          "ToleratedFailurePercentagePath");

  /** Fields only JSONata states may have. */
  private static final List<String> JSONATA_ONLY = List.of("Arguments", "Output", "Items");

  private static final Map<String, Set<String>> FIELDS =
      Map.of(
          "Pass",
          Set.of(
              "Next",
              "End",
              "InputPath",
              "OutputPath",
              "ResultPath",
              "Parameters",
              "Result",
              "Assign",
              "Output"),
          "Task",
          Set.of(
              "Resource",
              "Next",
              "End",
              "InputPath",
              "OutputPath",
              "ResultPath",
              "Parameters",
              "ResultSelector",
              "Retry",
              "Catch",
              "TimeoutSeconds",
              "TimeoutSecondsPath",
              "HeartbeatSeconds",
              "HeartbeatSecondsPath",
              "Credentials",
              "Arguments",
              "Output",
              "Assign"),
          "Choice",
          Set.of("Choices", "Default", "InputPath", "OutputPath", "Assign", "Output"),
          "Wait",
          Set.of(
              "Seconds",
              "SecondsPath",
              "Timestamp",
              "TimestampPath",
              "Next",
              "End",
              "InputPath",
              "OutputPath",
              "Assign",
              "Output"),
          "Succeed",
          Set.of("InputPath", "OutputPath", "Output"),
          "Fail",
          Set.of("Error", "ErrorPath", "Cause", "CausePath"),
          "Parallel",
          Set.of(
              "Branches",
              "Next",
              "End",
              "InputPath",
              "OutputPath",
              "ResultPath",
              "Parameters",
              "ResultSelector",
              "Retry",
              "Catch",
              "Arguments",
              "Output",
              "Assign"),
          "Map",
          Set.of(
              "ItemProcessor",
              "Iterator",
              "ItemsPath",
              "Items",
              "ItemSelector",
              "Parameters",
              "ItemReader",
              "ItemBatcher",
              "ResultWriter",
              "MaxConcurrency",
              "MaxConcurrencyPath",
              "ToleratedFailurePercentage",
              "ToleratedFailurePercentagePath",
              "ToleratedFailureCount",
              "ToleratedFailureCountPath",
              "Label",
              "Next",
              "End",
              "InputPath",
              "OutputPath",
              "ResultPath",
              "ResultSelector",
              "Retry",
              "Catch",
              "Output",
              "Assign"));

  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> JITTER = Set.of("FULL", "NONE");

  private final List<String> errors = new ArrayList<>();

  private Validator() {}

  /** All validation errors of the definition, each starting with its JSON path; empty if valid. */
  public static List<String> validate(JsonNode definition) {
    Validator v = new Validator();
    v.machine(definition, "$", JSONPATH);
    return v.errors;
  }

  private void error(String path, String message) {
    errors.add(path + ": " + message);
  }

  private void machine(JsonNode m, String at, String inherited) {
    if (m == null || !m.isObject()) {
      error(at, "state machine must be a JSON object");
      return;
    }
    String language = queryLanguage(m, at, inherited);
    if (m.has("TimeoutSeconds") && !positiveInteger(m.get("TimeoutSeconds"))) {
      error(
          at + ".TimeoutSeconds", "must be a positive integer but was " + m.get("TimeoutSeconds"));
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
      state(states, name, states.get(name), at + ".States." + name, language);
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

  private String queryLanguage(JsonNode node, String at, String inherited) {
    JsonNode q = node.get("QueryLanguage");
    if (q == null) {
      return inherited;
    }
    if (!q.isTextual() || !(JSONATA.equals(q.asText()) || JSONPATH.equals(q.asText()))) {
      error(at + ".QueryLanguage", "must be \"JSONPath\" or \"JSONata\" but was " + q);
      return inherited;
    }
    if (JSONATA.equals(inherited) && JSONPATH.equals(q.asText())) {
      error(
          at + ".QueryLanguage",
          "cannot be \"JSONPath\" inside a state machine whose QueryLanguage is \"JSONata\"");
      return inherited;
    }
    return q.asText();
  }

  private static boolean positiveInteger(JsonNode n) {
    return n.isIntegralNumber() && n.asLong() > 0;
  }

  private void state(JsonNode states, String name, JsonNode s, String at, String inherited) {
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
    String language = queryLanguage(s, at, inherited);
    boolean jsonata = JSONATA.equals(language);
    Iterator<String> fields = s.fieldNames();
    while (fields.hasNext()) {
      String f = fields.next();
      boolean transition = f.equals("Next") || f.equals("End");
      if (!COMMON.contains(f) && !transition && !FIELDS.get(type).contains(f)) {
        error(at + "." + f, "field is not supported by a " + type + " state");
      }
    }
    for (String f : jsonata ? JSONPATH_ONLY : JSONATA_ONLY) {
      if (s.has(f) && FIELDS.get(type).contains(f)) {
        error(at + "." + f, "field is not supported in a state whose QueryLanguage is " + language);
      }
    }
    if (jsonata) {
      expressions(s, at);
    } else {
      for (String f : List.of("Parameters", "ResultSelector", "ItemSelector")) {
        if (s.has(f)) {
          payloadTemplate(s.get(f), at + "." + f);
        }
      }
    }
    assign(s.get("Assign"), at + ".Assign");
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
      if (!jsonata && s.has(f) && !s.get(f).isNull() && !Paths.isValid(s.get(f).asText())) {
        error(at + "." + f, "invalid JSONPath " + s.get(f));
      }
    }
    if (!jsonata
        && s.has("ResultPath")
        && !s.get("ResultPath").isNull()
        && !Paths.isReferencePath(s.get("ResultPath").asText())) {
      error(at + ".ResultPath", "must be a reference path but was " + s.get("ResultPath"));
    }
    switch (type) {
      case "Task" -> {
        if (!s.path("Resource").isTextual()) {
          error(at + ".Resource", "required for a Task state");
        }
        timeouts(s, at, jsonata);
        retryCatch(states, s, at, jsonata);
      }
      case "Parallel" -> {
        if (!s.path("Branches").isArray() || s.get("Branches").isEmpty()) {
          error(at + ".Branches", "required, a non-empty array");
        } else {
          for (int i = 0; i < s.get("Branches").size(); i++) {
            machine(s.get("Branches").get(i), at + ".Branches[" + i + "]", inherited);
          }
        }
        retryCatch(states, s, at, jsonata);
      }
      case "Map" -> {
        JsonNode p = s.has("ItemProcessor") ? s.get("ItemProcessor") : s.get("Iterator");
        if (p == null) {
          error(at + ".ItemProcessor", "required for a Map state");
        } else {
          machine(p, at + (s.has("ItemProcessor") ? ".ItemProcessor" : ".Iterator"), inherited);
        }
        mapLimits(s, at, jsonata);
        retryCatch(states, s, at, jsonata);
      }
      case "Choice" -> {
        if (!s.path("Choices").isArray() || s.get("Choices").isEmpty()) {
          error(at + ".Choices", "required, a non-empty array");
        } else {
          for (int i = 0; i < s.get("Choices").size(); i++) {
            JsonNode rule = s.get("Choices").get(i);
            String p = at + ".Choices[" + i + "]";
            target(states, rule.get("Next"), p + ".Next");
            choiceRule(rule, p, jsonata, true);
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
        JsonNode seconds = s.get("Seconds");
        if (seconds != null
            && !JsonataEvaluator.isExpression(seconds)
            && !(seconds.isIntegralNumber() && seconds.asLong() >= 0)) {
          error(at + ".Seconds", "must be a non-negative integer but was " + seconds);
        }
        for (String f : List.of("SecondsPath", "TimestampPath")) {
          if (s.has(f) && !Paths.isValid(s.get(f).asText())) {
            error(at + "." + f, "invalid JSONPath " + s.get(f));
          }
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

  private void errorEquals(JsonNode list, String p, boolean last) {
    if (!list.isArray() || list.isEmpty()) {
      error(p + ".ErrorEquals", "required, a non-empty array");
      return;
    }
    for (JsonNode e : list) {
      if ("States.ALL".equals(e.asText())) {
        if (list.size() > 1) {
          error(p + ".ErrorEquals", "States.ALL must appear alone in ErrorEquals");
        } else if (!last) {
          error(p + ".ErrorEquals", "States.ALL must be in the last retrier or catcher");
        }
      }
    }
  }

  private void retryCatch(JsonNode states, JsonNode s, String at, boolean jsonata) {
    int retriers = s.path("Retry").size();
    for (int i = 0; i < retriers; i++) {
      JsonNode r = s.get("Retry").get(i);
      String p = at + ".Retry[" + i + "]";
      errorEquals(r.path("ErrorEquals"), p, i == retriers - 1);
      if (r.has("MaxDelaySeconds") && !positiveInteger(r.get("MaxDelaySeconds"))) {
        error(
            p + ".MaxDelaySeconds",
            "must be a positive integer but was " + r.get("MaxDelaySeconds"));
      }
      if (r.has("JitterStrategy") && !JITTER.contains(r.get("JitterStrategy").asText())) {
        error(
            p + ".JitterStrategy",
            "must be \"FULL\" or \"NONE\" but was " + r.get("JitterStrategy"));
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
    int catchers = s.path("Catch").size();
    for (int i = 0; i < catchers; i++) {
      JsonNode c = s.get("Catch").get(i);
      String p = at + ".Catch[" + i + "]";
      errorEquals(c.path("ErrorEquals"), p, i == catchers - 1);
      target(states, c.get("Next"), p + ".Next");
      if (jsonata && c.has("ResultPath")) {
        error(
            p + ".ResultPath", "field is not supported in a state whose QueryLanguage is JSONata");
      }
      if (!jsonata && c.has("Output")) {
        error(p + ".Output", "field is not supported in a state whose QueryLanguage is JSONPath");
      }
      if (!jsonata
          && c.has("ResultPath")
          && !c.get("ResultPath").isNull()
          && !Paths.isReferencePath(c.get("ResultPath").asText())) {
        error(p + ".ResultPath", "must be a reference path but was " + c.get("ResultPath"));
      }
      assign(c.get("Assign"), p + ".Assign");
    }
  }

  private void timeouts(JsonNode s, String at, boolean jsonata) {
    for (String f : List.of("TimeoutSeconds", "HeartbeatSeconds")) {
      if (s.has(f) && s.has(f + "Path")) {
        error(at, "must not have both " + f + " and " + f + "Path");
      }
      JsonNode v = s.get(f);
      if (v != null && !(jsonata && JsonataEvaluator.isExpression(v)) && !positiveInteger(v)) {
        error(at + "." + f, "must be a positive integer but was " + v);
      }
      if (s.has(f + "Path") && !Paths.isReferencePath(s.get(f + "Path").asText())) {
        error(at + "." + f + "Path", "must be a reference path but was " + s.get(f + "Path"));
      }
    }
    JsonNode timeout = s.get("TimeoutSeconds");
    JsonNode heartbeat = s.get("HeartbeatSeconds");
    if (timeout != null
        && heartbeat != null
        && timeout.isIntegralNumber()
        && heartbeat.isIntegralNumber()
        && heartbeat.asLong() >= timeout.asLong()) {
      error(at + ".HeartbeatSeconds", "must be smaller than TimeoutSeconds (" + timeout + ")");
    }
  }

  private void mapLimits(JsonNode s, String at, boolean jsonata) {
    for (String f :
        List.of("MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage")) {
      if (s.has(f) && s.has(f + "Path")) {
        error(at, "must not have both " + f + " and " + f + "Path");
      }
      if (s.has(f + "Path") && !Paths.isReferencePath(s.get(f + "Path").asText())) {
        error(at + "." + f + "Path", "must be a reference path but was " + s.get(f + "Path"));
      }
    }
    for (String f : List.of("MaxConcurrency", "ToleratedFailureCount")) {
      JsonNode v = s.get(f);
      if (v != null
          && !(jsonata && JsonataEvaluator.isExpression(v))
          && !(v.isIntegralNumber() && v.asLong() >= 0)) {
        error(at + "." + f, "must be a non-negative integer but was " + v);
      }
    }
    JsonNode pct = s.get("ToleratedFailurePercentage");
    if (pct != null
        && !(jsonata && JsonataEvaluator.isExpression(pct))
        && !(pct.isNumber() && pct.asDouble() >= 0 && pct.asDouble() <= 100)) {
      error(at + ".ToleratedFailurePercentage", "must be a number from 0 to 100 but was " + pct);
    }
    if (!jsonata && s.has("ItemsPath") && !Paths.isValid(s.get("ItemsPath").asText())) {
      error(at + ".ItemsPath", "invalid JSONPath " + s.get("ItemsPath"));
    }
  }

  private static final Set<String> COMPARISONS =
      Set.of(
          "StringEquals",
          "StringLessThan",
          "StringGreaterThan",
          "StringLessThanEquals",
          "StringGreaterThanEquals",
          "StringMatches",
          "NumericEquals",
          "NumericLessThan",
          "NumericGreaterThan",
          "NumericLessThanEquals",
          "NumericGreaterThanEquals",
          "BooleanEquals",
          "TimestampEquals",
          "TimestampLessThan",
          "TimestampGreaterThan",
          "TimestampLessThanEquals",
          "TimestampGreaterThanEquals",
          "IsNull",
          "IsPresent",
          "IsNumeric",
          "IsString",
          "IsBoolean",
          "IsTimestamp");

  private void choiceRule(JsonNode rule, String p, boolean jsonata, boolean top) {
    if (!rule.isObject()) {
      error(p, "choice rule must be a JSON object");
      return;
    }
    if (jsonata) {
      if (!rule.has("Condition")) {
        error(p + ".Condition", "required in a choice rule of a JSONata state");
      } else if (!JsonataEvaluator.isExpression(rule.get("Condition"))
          && !rule.get("Condition").isBoolean()) {
        error(p + ".Condition", "must be a JSONata expression {% … %} or a boolean");
      }
      Iterator<String> names = rule.fieldNames();
      while (names.hasNext()) {
        String f = names.next();
        if (!Set.of("Condition", "Next", "Comment", "Output", "Assign").contains(f)) {
          error(p + "." + f, "field is not supported in a JSONata choice rule");
        }
      }
      assign(rule.get("Assign"), p + ".Assign");
      return;
    }
    if (rule.has("Condition")) {
      error(p + ".Condition", "field is not supported in a state whose QueryLanguage is JSONPath");
      return;
    }
    if (rule.has("And") || rule.has("Or")) {
      String op = rule.has("And") ? "And" : "Or";
      JsonNode list = rule.get(op);
      if (!list.isArray() || list.isEmpty()) {
        error(p + "." + op, "required, a non-empty array of choice rules");
      } else {
        for (int i = 0; i < list.size(); i++) {
          choiceRule(list.get(i), p + "." + op + "[" + i + "]", false, false);
        }
      }
      return;
    }
    if (rule.has("Not")) {
      choiceRule(rule.get("Not"), p + ".Not", false, false);
      return;
    }
    if (!rule.path("Variable").isTextual()) {
      error(p + ".Variable", "required, a JSONPath");
    } else if (!Paths.isValid(rule.get("Variable").asText())) {
      error(p + ".Variable", "invalid JSONPath " + rule.get("Variable"));
    }
    int operators = 0;
    Iterator<String> names = rule.fieldNames();
    while (names.hasNext()) {
      String f = names.next();
      if (f.equals("Variable") || f.equals("Next") || f.equals("Comment") || f.equals("Assign")) {
        continue;
      }
      String base =
          f.endsWith("Path") && !f.equals("IsPresent") ? f.substring(0, f.length() - 4) : f;
      if (!COMPARISONS.contains(base)) {
        error(p + "." + f, "unknown comparison operator");
        continue;
      }
      operators++;
      JsonNode v = rule.get(f);
      if (!base.equals(f)) {
        if (!v.isTextual() || !Paths.isValid(v.asText())) {
          error(p + "." + f, "must be a JSONPath but was " + v);
        }
      } else if (base.startsWith("Is") || base.equals("BooleanEquals")) {
        if (!v.isBoolean()) {
          error(p + "." + f, "must be a boolean but was " + v);
        }
      } else if (base.startsWith("Numeric")) {
        if (!v.isNumber()) {
          error(p + "." + f, "must be a number but was " + v);
        }
      } else if (base.startsWith("Timestamp")) {
        if (!v.isTextual() || Timestamps.parse(v.asText()) == null) {
          error(p + "." + f, "must be an ISO-8601 timestamp but was " + v);
        }
      } else if (!v.isTextual()) {
        error(p + "." + f, "must be a string but was " + v);
      }
    }
    if (operators != 1) {
      error(p, "must have exactly one comparison operator");
    }
    if (!top && rule.has("Next")) {
      error(p + ".Next", "nested choice rules must not have Next");
    }
  }

  private void assign(JsonNode assign, String at) {
    if (assign == null) {
      return;
    }
    if (!assign.isObject()) {
      error(at, "must be a JSON object");
      return;
    }
    Iterator<String> names = assign.fieldNames();
    while (names.hasNext()) {
      String key = names.next();
      String name = key.endsWith(".$") ? key.substring(0, key.length() - 2) : key;
      if (!VARIABLE_NAME.matcher(name).matches() || name.equals("states")) {
        error(at + "." + key, "invalid variable name '" + name + "'");
      }
    }
  }

  /** Keys ending in .$ take a path, a context path, a variable or an intrinsic function. */
  private void payloadTemplate(JsonNode node, String at) {
    if (node.isObject()) {
      Iterator<String> names = node.fieldNames();
      while (names.hasNext()) {
        String key = names.next();
        JsonNode v = node.get(key);
        if (key.endsWith(".$")) {
          if (!v.isTextual()) {
            error(at + "." + key, "must be a JSONPath or intrinsic function but was " + v);
          } else if (v.asText().startsWith("States.")) {
            for (String fn : Intrinsics.functionNames(v.asText())) {
              if (!Intrinsics.NAMES.contains(fn)) {
                error(at + "." + key, "unknown intrinsic function " + fn);
              }
            }
          } else if (!Paths.isValid(v.asText())) {
            error(at + "." + key, "invalid JSONPath " + v);
          }
        } else {
          payloadTemplate(v, at + "." + key);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        payloadTemplate(node.get(i), at + "[" + i + "]");
      }
    }
  }

  /** Checks the syntax of every {% %} expression in a JSONata state. */
  private void expressions(JsonNode node, String at) {
    if (JsonataEvaluator.isExpression(node)) {
      JsonataEvaluator.syntaxError(node.asText())
          .ifPresent(message -> error(at, "invalid JSONata expression: " + message));
    } else if (node.isObject()) {
      Iterator<String> names = node.fieldNames();
      while (names.hasNext()) {
        String f = names.next();
        if (!f.equals("Branches") && !f.equals("ItemProcessor") && !f.equals("Iterator")) {
          expressions(node.get(f), at + "." + f);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        expressions(node.get(i), at + "[" + i + "]");
      }
    }
  }
}
