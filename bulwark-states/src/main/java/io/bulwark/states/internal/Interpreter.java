package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.ExecutionResult;
import io.bulwark.states.Sleeper;
import io.bulwark.states.StatesError;
import io.bulwark.states.TaskHandler;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs a validated definition as an explicit transition loop: the progress between steps is only
 * (current state name, current input), so it can be persisted step by step.
 */
public final class Interpreter {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final TaskHandler tasks;
  private final Sleeper sleeper;

  public Interpreter(TaskHandler tasks, Sleeper sleeper) {
    this.tasks = tasks;
    this.sleeper = sleeper;
  }

  /** Runs the machine from StartAt with the given input. */
  public ExecutionResult run(JsonNode definition, JsonNode input, String name) {
    ObjectNode context = F.objectNode();
    ObjectNode execution = context.putObject("Execution");
    execution.put(
        "Id", "arn:aws:states:local:000000000000:execution:" + name + ":" + UUID.randomUUID());
    execution.set("Input", input);
    execution.put("Name", UUID.randomUUID().toString());
    execution.put("StartTime", Instant.now().toString());
    context.putObject("StateMachine").put("Name", name);
    try {
      return ExecutionResult.succeeded(runStates(definition, input, context));
    } catch (StatesError e) {
      return ExecutionResult.failed(e.error(), e.causeText());
    }
  }

  JsonNode runStates(JsonNode machine, JsonNode input, ObjectNode context) {
    String current = machine.path("StartAt").asText();
    JsonNode data = input;
    JsonNode states = machine.get("States");
    while (true) {
      JsonNode state = states.get(current);
      ObjectNode stateCtx = F.objectNode();
      stateCtx.put("Name", current);
      stateCtx.put("EnteredTime", Instant.now().toString());
      stateCtx.put("RetryCount", 0);
      context.set("State", stateCtx);
      Step step = step(current, state, data, context);
      if (step.next == null) {
        return step.output;
      }
      current = step.next;
      data = step.output;
    }
  }

  private record Step(String next, JsonNode output) {}

  private Step step(String name, JsonNode state, JsonNode raw, ObjectNode context) {
    String type = state.path("Type").asText();
    switch (type) {
      case "Succeed" -> {
        return new Step(null, output(state, input(state, raw)));
      }
      case "Fail" ->
          throw new StatesError(failField(state, raw, "Error"), failField(state, raw, "Cause"));
      case "Choice" -> {
        JsonNode in = input(state, raw);
        for (JsonNode rule : state.path("Choices")) {
          if (matches(rule, in)) {
            return new Step(rule.get("Next").asText(), output(state, in));
          }
        }
        if (state.hasNonNull("Default")) {
          return new Step(state.get("Default").asText(), output(state, in));
        }
        throw new StatesError(
            "States.NoChoiceMatched",
            "An error occurred while executing the state '"
                + name
                + "'. No Choice Rules matched and no default was specified");
      }
      case "Wait" -> {
        JsonNode in = input(state, raw);
        sleeper.sleep(waitDuration(state, in));
        return next(state, output(state, in));
      }
      default -> {
        return runWithRetry(name, state, raw, context);
      }
    }
  }

  private static String failField(JsonNode state, JsonNode raw, String field) {
    if (state.hasNonNull(field)) {
      return state.get(field).asText();
    }
    if (state.hasNonNull(field + "Path")) {
      JsonNode v = Paths.read(raw, state.get(field + "Path").asText());
      return v == null ? null : v.asText();
    }
    return null;
  }

  private Duration waitDuration(JsonNode state, JsonNode in) {
    if (state.has("Seconds")) {
      return Duration.ofSeconds(state.get("Seconds").asLong());
    }
    if (state.has("SecondsPath")) {
      JsonNode v = Paths.readRequired(in, state.get("SecondsPath").asText(), "SecondsPath");
      return Duration.ofSeconds(Math.max(0, v.asLong()));
    }
    String ts =
        state.has("Timestamp")
            ? state.get("Timestamp").asText()
            : Paths.readRequired(in, state.get("TimestampPath").asText(), "TimestampPath").asText();
    Duration d = Duration.between(Instant.now(), Instant.parse(ts));
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Step next(JsonNode state, JsonNode output) {
    return new Step(
        state.path("End").asBoolean(false) ? null : state.path("Next").asText(), output);
  }

  private Step runWithRetry(String name, JsonNode state, JsonNode raw, ObjectNode context) {
    int[] attempts = new int[state.path("Retry").size()];
    int attempt = 0;
    while (true) {
      try {
        ((ObjectNode) context.get("State")).put("RetryCount", attempt);
        return next(state, execute(name, state, raw, context, attempt));
      } catch (StatesError e) {
        JsonNode retrier = null;
        int index = 0;
        for (JsonNode r : state.path("Retry")) {
          if (errorMatches(r.path("ErrorEquals"), e.error())) {
            retrier = r;
            break;
          }
          index++;
        }
        if (retrier != null && attempts[index] < retrier.path("MaxAttempts").asInt(3)) {
          double interval = retrier.path("IntervalSeconds").asDouble(1);
          double backoff = retrier.path("BackoffRate").asDouble(2.0);
          double delay = interval * Math.pow(backoff, attempts[index]);
          if (retrier.has("MaxDelaySeconds")) {
            delay = Math.min(delay, retrier.get("MaxDelaySeconds").asDouble());
          }
          if ("FULL".equals(retrier.path("JitterStrategy").asText())) {
            delay = ThreadLocalRandom.current().nextDouble() * delay;
          }
          attempts[index]++;
          attempt++;
          sleeper.sleep(Duration.ofMillis((long) (delay * 1000)));
          continue;
        }
        for (JsonNode c : state.path("Catch")) {
          if (errorMatches(c.path("ErrorEquals"), e.error())) {
            ObjectNode err = F.objectNode();
            err.put("Error", e.error());
            err.put("Cause", e.causeText());
            String resultPath = c.has("ResultPath") ? textOrNull(c.get("ResultPath")) : "$";
            JsonNode out = resultPath == null ? raw : Paths.write(raw, resultPath, err);
            return new Step(c.get("Next").asText(), out);
          }
        }
        throw e;
      }
    }
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  static boolean errorMatches(JsonNode errorEquals, String error) {
    for (JsonNode e : errorEquals) {
      String name = e.asText();
      if (name.equals(error)) {
        return true;
      }
      if ("States.ALL".equals(name)
          && !"States.Runtime".equals(error)
          && !"States.DataLimitExceeded".equals(error)) {
        return true;
      }
      if ("States.TaskFailed".equals(name)
          && !error.equals("States.Timeout")
          && !error.startsWith("States.")) {
        return true;
      }
    }
    return false;
  }

  private JsonNode execute(
      String name, JsonNode state, JsonNode raw, ObjectNode context, int attempt) {
    JsonNode in = input(state, raw);
    JsonNode effective =
        state.has("Parameters") ? template(state.get("Parameters"), in, context) : in;
    JsonNode result;
    switch (state.path("Type").asText()) {
      case "Pass" -> result = state.has("Result") ? state.get("Result") : effective;
      case "Task" -> {
        result = tasks.invoke(name, state.path("Resource").asText(), effective, attempt);
        if (result == null) {
          result = NullNode.instance;
        }
      }
      case "Parallel" -> {
        ArrayNode out = F.arrayNode();
        for (JsonNode branch : state.path("Branches")) {
          try {
            out.add(runStates(branch, effective, context.deepCopy()));
          } catch (StatesError e) {
            throw e;
          }
        }
        result = out;
      }
      case "Map" -> result = runMap(state, in, context);
      default ->
          throw new StatesError("States.Runtime", "unknown state type " + state.path("Type"));
    }
    if (state.has("ResultSelector")) {
      result = template(state.get("ResultSelector"), result, context);
    }
    JsonNode afterResult;
    if (state.has("ResultPath") && state.get("ResultPath").isNull()) {
      afterResult = raw;
    } else {
      afterResult = Paths.write(raw, state.path("ResultPath").asText("$"), result);
    }
    return outputPath(state, afterResult);
  }

  private JsonNode runMap(JsonNode state, JsonNode in, ObjectNode context) {
    JsonNode items =
        state.has("ItemsPath")
            ? Paths.readRequired(in, state.get("ItemsPath").asText(), "ItemsPath")
            : in;
    if (!items.isArray()) {
      throw new StatesError(
          "States.Runtime",
          "An error occurred while executing the state. Item path did not resolve to a JSON array");
    }
    JsonNode processor =
        state.has("ItemProcessor") ? state.get("ItemProcessor") : state.get("Iterator");
    JsonNode selector =
        state.has("ItemSelector") ? state.get("ItemSelector") : state.get("Parameters");
    ArrayNode out = F.arrayNode();
    int failures = 0;
    int index = 0;
    for (JsonNode item : items) {
      ObjectNode ctx = context.deepCopy();
      ObjectNode mapCtx = ctx.putObject("Map").putObject("Item");
      mapCtx.put("Index", index++);
      mapCtx.set("Value", item);
      JsonNode itemInput = selector == null ? item : template(selector, in, ctx);
      try {
        out.add(runStates(processor, itemInput, ctx));
      } catch (StatesError e) {
        failures++;
        int tolerated = state.path("ToleratedFailureCount").asInt(0);
        double pct = state.path("ToleratedFailurePercentage").asDouble(0);
        boolean tolerates =
            state.has("ToleratedFailureCount") || state.has("ToleratedFailurePercentage");
        if (!tolerates) {
          throw e;
        }
        if (failures > tolerated && failures * 100.0 / items.size() > pct) {
          throw new StatesError(
              "States.ExceedToleratedFailureThreshold",
              "The specified tolerated failure threshold was exceeded");
        }
        ObjectNode err = F.objectNode();
        err.put("Error", e.error());
        err.put("Cause", e.causeText());
        out.add(err);
      }
    }
    return out;
  }

  private static JsonNode input(JsonNode state, JsonNode raw) {
    if (!state.has("InputPath")) {
      return raw;
    }
    if (state.get("InputPath").isNull()) {
      return F.objectNode();
    }
    return Paths.readRequired(raw, state.get("InputPath").asText(), "InputPath");
  }

  private JsonNode output(JsonNode state, JsonNode data) {
    return outputPath(state, data);
  }

  private static JsonNode outputPath(JsonNode state, JsonNode data) {
    if (!state.has("OutputPath")) {
      return data;
    }
    if (state.get("OutputPath").isNull()) {
      return F.objectNode();
    }
    return Paths.readRequired(data, state.get("OutputPath").asText(), "OutputPath");
  }

  /** Applies a payload template: keys ending in .$ take a path, context path or intrinsic. */
  JsonNode template(JsonNode template, JsonNode in, ObjectNode context) {
    if (template.isObject()) {
      ObjectNode out = F.objectNode();
      for (Map.Entry<String, JsonNode> e : template.properties()) {
        String key = e.getKey();
        if (key.endsWith(".$") && e.getValue().isTextual()) {
          out.set(key.substring(0, key.length() - 2), evaluate(e.getValue().asText(), in, context));
        } else {
          out.set(key, template(e.getValue(), in, context));
        }
      }
      return out;
    }
    if (template.isArray()) {
      ArrayNode out = F.arrayNode();
      for (JsonNode n : template) {
        out.add(template(n, in, context));
      }
      return out;
    }
    return template;
  }

  JsonNode evaluate(String expr, JsonNode in, ObjectNode context) {
    if (expr.startsWith("$$")) {
      return pathValue(context, expr.substring(1));
    }
    if (expr.startsWith("$")) {
      return pathValue(in, expr);
    }
    if (expr.startsWith("States.")) {
      return Intrinsics.call(expr, arg -> evaluate(arg, in, context));
    }
    throw new StatesError("States.Runtime", "invalid path or intrinsic: " + expr);
  }

  private static JsonNode pathValue(JsonNode data, String path) {
    JsonNode node = Paths.read(data, path);
    if (node == null) {
      throw new StatesError(
          "States.Runtime",
          "An error occurred while executing the state. The JSONPath '"
              + path
              + "' could not be found in the input '"
              + data
              + "'");
    }
    return node;
  }

  boolean matches(JsonNode rule, JsonNode in) {
    if (rule.has("And")) {
      for (JsonNode r : rule.get("And")) {
        if (!matches(r, in)) {
          return false;
        }
      }
      return true;
    }
    if (rule.has("Or")) {
      for (JsonNode r : rule.get("Or")) {
        if (matches(r, in)) {
          return true;
        }
      }
      return false;
    }
    if (rule.has("Not")) {
      return !matches(rule.get("Not"), in);
    }
    JsonNode value = Paths.read(in, rule.path("Variable").asText());
    Iterator<String> names = rule.fieldNames();
    while (names.hasNext()) {
      String op = names.next();
      if (op.equals("Variable") || op.equals("Next")) {
        continue;
      }
      JsonNode operand = rule.get(op);
      if (op.endsWith("Path") && !op.equals("IsPresent")) {
        op = op.substring(0, op.length() - 4);
        operand = Paths.read(in, operand.asText());
        if (operand == null) {
          throw new StatesError(
              "States.Runtime", "Invalid path '" + rule.get(op + "Path").asText() + "'");
        }
      }
      return compare(op, value, operand);
    }
    return false;
  }

  private static boolean compare(String op, JsonNode v, JsonNode operand) {
    switch (op) {
      case "IsPresent":
        return (v != null) == operand.asBoolean();
      case "IsNull":
        return (v != null && v.isNull()) == operand.asBoolean();
      case "IsBoolean":
        return (v != null && v.isBoolean()) == operand.asBoolean();
      case "IsNumeric":
        return (v != null && v.isNumber()) == operand.asBoolean();
      case "IsString":
        return (v != null && v.isTextual()) == operand.asBoolean();
      case "IsTimestamp":
        return (v != null && v.isTextual() && parseTime(v.asText()) != null) == operand.asBoolean();
      default:
        break;
    }
    if (v == null) {
      throw new StatesError(
          "States.Runtime", "Invalid path: the Variable was not found in the input");
    }
    if (op.startsWith("String")) {
      if (!v.isTextual() || !operand.isTextual()) {
        return false;
      }
      if (op.equals("StringMatches")) {
        return globMatches(operand.asText(), v.asText());
      }
      return cmp(op.substring(6), v.asText().compareTo(operand.asText()));
    }
    if (op.startsWith("Numeric")) {
      if (!v.isNumber() || !operand.isNumber()) {
        return false;
      }
      return cmp(
          op.substring(7), new BigDecimal(v.asText()).compareTo(new BigDecimal(operand.asText())));
    }
    if (op.startsWith("Boolean")) {
      return v.isBoolean() && operand.isBoolean() && v.asBoolean() == operand.asBoolean();
    }
    if (op.startsWith("Timestamp")) {
      if (!v.isTextual() || !operand.isTextual()) {
        return false;
      }
      Instant a = parseTime(v.asText());
      Instant b = parseTime(operand.asText());
      if (a == null || b == null) {
        return false;
      }
      return cmp(op.substring(9), a.compareTo(b));
    }
    throw new StatesError("States.Runtime", "unknown comparison operator " + op);
  }

  private static Instant parseTime(String s) {
    try {
      return java.time.OffsetDateTime.parse(s).toInstant();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean cmp(String suffix, int c) {
    return switch (suffix) {
      case "Equals" -> c == 0;
      case "LessThan" -> c < 0;
      case "GreaterThan" -> c > 0;
      case "LessThanEquals" -> c <= 0;
      case "GreaterThanEquals" -> c >= 0;
      default -> throw new StatesError("States.Runtime", "unknown comparison " + suffix);
    };
  }

  static boolean globMatches(String pattern, String text) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        regex.append(java.util.regex.Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '*') {
        regex.append(".*");
      } else {
        regex.append(java.util.regex.Pattern.quote(String.valueOf(c)));
      }
    }
    return text.matches("(?s)" + regex);
  }

  static ObjectMapper mapper() {
    return MAPPER;
  }
}
