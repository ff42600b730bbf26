package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Executes a validated definition one state at a time without blocking: {@link #step} returns a
 * {@link Decision} (go to Next, end, call a task, wait, retry after a back-off, run branches) and
 * the caller reports task and branch outcomes back. The progress between steps is only (current
 * state name, its raw input, the context object, the {@link RetryState}), so it can be persisted
 * step by step; {@link InMemoryRunner} carries decisions out in-process.
 */
public final class Interpreter {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Creates an interpreter; it holds no state, one instance may serve every execution. */
  public Interpreter() {}

  /**
   * Executes state {@code name} of {@code machine} with raw input {@code raw}. {@code context} is
   * the context object ({@code $$}) whose {@code State} was set on entering the state (see {@link
   * ContextObject#enterState}); its {@code State.RetryCount} is set from {@code retry}.
   */
  public Decision step(
      JsonNode machine, String name, JsonNode raw, ObjectNode context, RetryState retry) {
    JsonNode state = machine.get("States").get(name);
    String type = state.path("Type").asText();
    try {
      switch (type) {
        case "Succeed" -> {
          return new Decision.Succeed(output(state, input(state, raw)));
        }
        case "Fail" -> {
          return new Decision.Fail(failField(state, raw, "Error"), failField(state, raw, "Cause"));
        }
        case "Choice" -> {
          JsonNode in = input(state, raw);
          for (JsonNode rule : state.path("Choices")) {
            if (matches(rule, in)) {
              return new Decision.Next(rule.get("Next").asText(), output(state, in));
            }
          }
          if (state.hasNonNull("Default")) {
            return new Decision.Next(state.get("Default").asText(), output(state, in));
          }
          throw new StatesError(
              "States.NoChoiceMatched",
              "An error occurred while executing the state '"
                  + name
                  + "'. No Choice Rules matched and no default was specified");
        }
        case "Wait" -> {
          JsonNode in = input(state, raw);
          return new Decision.Wait(waitDuration(state, in), next(state, output(state, in)));
        }
        default -> {
          return execute(name, state, raw, context, retry);
        }
      }
    } catch (StatesError e) {
      return new Decision.Fail(e.error(), e.causeText());
    }
  }

  /** The task of a {@link Decision.InvokeTask} returned {@code result} (null is JSON null). */
  public Decision taskSucceeded(
      JsonNode machine,
      String name,
      JsonNode raw,
      ObjectNode context,
      JsonNode result,
      RetryState retry) {
    JsonNode state = machine.get("States").get(name);
    try {
      return next(
          state, complete(state, raw, result == null ? NullNode.instance : result, context));
    } catch (StatesError e) {
      return failed(state, raw, e, retry);
    }
  }

  /**
   * The task of a {@link Decision.InvokeTask} failed with {@code error}: returns a {@link
   * Decision.Retry} when a Retrier matches and has attempts left, else the Catch's Next, else Fail.
   */
  public Decision taskFailed(
      JsonNode machine, String name, JsonNode raw, StatesError error, RetryState retry) {
    return failed(machine.get("States").get(name), raw, error, retry);
  }

  /**
   * Whether the outcomes so far (in branch order, of {@code total} branches) already decide the
   * state, so a caller running branches one by one may stop: a failure in a Parallel, or a Map
   * failure that is not tolerated.
   */
  public boolean branchesSettled(
      JsonNode machine, String name, List<Decision.BranchOutcome> outcomes, int total) {
    JsonNode state = machine.get("States").get(name);
    try {
      branchResult(state, outcomes, total);
      return false;
    } catch (StatesError e) {
      return true;
    }
  }

  /** The branches of a {@link Decision.RunBranches} ended (outcomes in branch order). */
  public Decision branchesCompleted(
      JsonNode machine,
      String name,
      JsonNode raw,
      ObjectNode context,
      List<Decision.BranchOutcome> outcomes,
      RetryState retry) {
    JsonNode state = machine.get("States").get(name);
    try {
      JsonNode result = branchResult(state, outcomes, outcomes.size());
      return next(state, complete(state, raw, result, context));
    } catch (StatesError e) {
      return failed(state, raw, e, retry);
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

  private static Decision next(JsonNode state, JsonNode output) {
    return state.path("End").asBoolean(false)
        ? new Decision.Succeed(output)
        : new Decision.Next(state.path("Next").asText(), output);
  }

  private static Decision failed(JsonNode state, JsonNode raw, StatesError e, RetryState retry) {
    JsonNode retrier = null;
    int index = 0;
    for (JsonNode r : state.path("Retry")) {
      if (errorMatches(r.path("ErrorEquals"), e.error())) {
        retrier = r;
        break;
      }
      index++;
    }
    if (retrier != null && retry.retriesOf(index) < retrier.path("MaxAttempts").asInt(3)) {
      double interval = retrier.path("IntervalSeconds").asDouble(1);
      double backoff = retrier.path("BackoffRate").asDouble(2.0);
      double delay = interval * Math.pow(backoff, retry.retriesOf(index));
      if (retrier.has("MaxDelaySeconds")) {
        delay = Math.min(delay, retrier.get("MaxDelaySeconds").asDouble());
      }
      if ("FULL".equals(retrier.path("JitterStrategy").asText())) {
        delay = ThreadLocalRandom.current().nextDouble() * delay;
      }
      return new Decision.Retry(
          Duration.ofMillis((long) (delay * 1000)),
          retry.afterRetryBy(index),
          e.error(),
          e.causeText());
    }
    for (JsonNode c : state.path("Catch")) {
      if (errorMatches(c.path("ErrorEquals"), e.error())) {
        ObjectNode err = F.objectNode();
        err.put("Error", e.error());
        err.put("Cause", e.causeText());
        String resultPath = c.has("ResultPath") ? textOrNull(c.get("ResultPath")) : "$";
        JsonNode out = resultPath == null ? raw : Paths.write(raw, resultPath, err);
        return new Decision.Next(c.get("Next").asText(), out);
      }
    }
    return new Decision.Fail(e.error(), e.causeText());
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

  private Decision execute(
      String name, JsonNode state, JsonNode raw, ObjectNode context, RetryState retry) {
    try {
      ((ObjectNode) context.get("State")).put("RetryCount", retry.attempt());
      JsonNode in = input(state, raw);
      JsonNode effective =
          state.has("Parameters") ? template(state.get("Parameters"), in, context) : in;
      switch (state.path("Type").asText()) {
        case "Pass" -> {
          JsonNode result = state.has("Result") ? state.get("Result") : effective;
          return next(state, complete(state, raw, result, context));
        }
        case "Task" -> {
          return new Decision.InvokeTask(state.path("Resource").asText(), effective, retry);
        }
        case "Parallel" -> {
          List<Decision.Branch> branches = new ArrayList<>();
          for (JsonNode branch : state.path("Branches")) {
            branches.add(new Decision.Branch(branch, effective, context.deepCopy()));
          }
          return new Decision.RunBranches(branches, retry);
        }
        case "Map" -> {
          return new Decision.RunBranches(mapItems(state, in, context), retry);
        }
        default ->
            throw new StatesError("States.Runtime", "unknown state type " + state.path("Type"));
      }
    } catch (StatesError e) {
      return failed(state, raw, e, retry);
    }
  }

  /** ResultSelector, ResultPath and OutputPath applied to a state's result. */
  private JsonNode complete(JsonNode state, JsonNode raw, JsonNode result, ObjectNode context) {
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

  private List<Decision.Branch> mapItems(JsonNode state, JsonNode in, ObjectNode context) {
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
    List<Decision.Branch> branches = new ArrayList<>();
    int index = 0;
    for (JsonNode item : items) {
      ObjectNode ctx = context.deepCopy();
      ObjectNode mapCtx = ctx.putObject("Map").putObject("Item");
      mapCtx.put("Index", index++);
      mapCtx.set("Value", item);
      JsonNode itemInput = selector == null ? item : template(selector, in, ctx);
      branches.add(new Decision.Branch(processor, itemInput, ctx));
    }
    return branches;
  }

  /** The Parallel/Map result of the outcomes; throws the error that fails the state. */
  private static JsonNode branchResult(
      JsonNode state, List<Decision.BranchOutcome> outcomes, int total) {
    boolean map = "Map".equals(state.path("Type").asText());
    boolean tolerates =
        map && (state.has("ToleratedFailureCount") || state.has("ToleratedFailurePercentage"));
    int tolerated = state.path("ToleratedFailureCount").asInt(0);
    double pct = state.path("ToleratedFailurePercentage").asDouble(0);
    ArrayNode out = F.arrayNode();
    int failures = 0;
    for (Decision.BranchOutcome outcome : outcomes) {
      switch (outcome) {
        case Decision.BranchOutcome.Succeeded s -> out.add(s.output());
        case Decision.BranchOutcome.Failed f -> {
          if (!tolerates) {
            throw new StatesError(f.error(), f.cause());
          }
          failures++;
          if (failures > tolerated && failures * 100.0 / total > pct) {
            throw new StatesError(
                "States.ExceedToleratedFailureThreshold",
                "The specified tolerated failure threshold was exceeded");
          }
          ObjectNode err = F.objectNode();
          err.put("Error", f.error());
          err.put("Cause", f.cause());
          out.add(err);
        }
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
