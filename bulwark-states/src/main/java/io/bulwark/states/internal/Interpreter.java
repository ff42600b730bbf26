package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import io.bulwark.states.internal.jsonata.JsonataEvaluator;
import io.bulwark.states.internal.jsonata.JsonataEvaluator.Scope;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Executes a validated definition one state at a time without blocking: {@link #step} returns a
 * {@link Decision} (go to Next, end, call a task, wait, retry after a back-off, run branches) and
 * the caller reports task and branch outcomes back. The progress between steps is only (current
 * state name, its raw input, the context object, the {@link RetryState}), so it can be persisted
 * step by step; {@link InMemoryRunner} carries decisions out in-process. Workflow variables travel
 * in the context object (see {@link Variables}).
 *
 * <p>Both query languages are interpreted: JSONPath (InputPath, Parameters, ResultSelector,
 * ResultPath, OutputPath, intrinsics) and JSONata ({@code Arguments}, {@code Output}, {@code
 * Assign}, {@code {% %}} expressions with {@code $states}).
 */
public final class Interpreter {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String JSONATA = "JSONata";
  private static final long MAX_WAIT_SECONDS = Integer.MAX_VALUE;

  /** Step Functions' payload limit: 256 KiB of UTF-8 JSON. */
  private static final int MAX_PAYLOAD = 256 * 1024;

  /** How causes name a task: the service of an integration, else the resource itself. */
  private static String taskName(String resource) {
    String prefix = "arn:aws:states:::";
    if (resource.startsWith(prefix)) {
      String rest = resource.substring(prefix.length());
      int colon = rest.indexOf(':');
      return colon < 0 ? rest : rest.substring(0, colon);
    }
    return resource;
  }

  /**
   * What States.TaskFailed matches: any error a task raised, including the service's own task
   * errors, but not States.Timeout (nor the errors of the state machine itself).
   */
  private static final java.util.regex.Pattern TASK_ERRORS =
      java.util.regex.Pattern.compile(
          "(?!States\\.).*|States\\.(TaskFailed|HeartbeatTimeout|Permissions)");

  private final Clock clock;

  /**
   * An interpreter reading the time (for Timestamp and TimestampPath waits) from {@code clock}; it
   * holds no other state, one instance may serve every execution on that clock.
   */
  public Interpreter(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** One state being executed: where it is, what it sees. */
  private record Env(
      JsonNode machine, JsonNode state, String name, JsonNode raw, ObjectNode context) {
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

    StatesError runtime(String detail) {
      return new StatesError(
          "States.Runtime", Causes.inState(name, Variables.enteredEventId(context), detail));
    }

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
          e.error(), Causes.inState(name, Variables.enteredEventId(context), cause));
    }
  }

  private static Env env(JsonNode machine, String name, JsonNode raw, ObjectNode context) {
    return new Env(machine, machine.get("States").get(name), name, raw, context);
  }

  /**
   * Executes state {@code name} of {@code machine} with raw input {@code raw}. {@code context} is
   * the context object ({@code $$}) whose {@code State} was set on entering the state (see {@link
   * ContextObject#enterState}); its {@code State.RetryCount} is set from {@code retry}.
   */
  public Decision step(
      JsonNode machine, String name, JsonNode raw, ObjectNode context, RetryState retry) {
    Env env = env(machine, name, raw, context);
    String type = env.state.path("Type").asText();
    try {
      switch (type) {
        case "Succeed" -> {
          return new Decision.Succeed(
              env.jsonata() ? jsonataOutput(env, null) : output(env, in(env)));
        }
        case "Fail" -> {
          return failState(env);
        }
        case "Choice" -> {
          return choice(env);
        }
        case "Wait" -> {
          return waitState(env);
        }
        default -> {
          return execute(env, retry);
        }
      }
    } catch (StatesError e) {
      return new Decision.Fail(e.error(), env.located(e).causeText());
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
    Env env = env(machine, name, raw, context);
    JsonNode value = result == null ? NullNode.instance : result;
    if (value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PAYLOAD) {
      return failed(
          env,
          new StatesError(
              "States.DataLimitExceeded",
              "The state/task '"
                  + taskName(env.state.path("Resource").asText())
                  + "' returned a result with a size exceeding the maximum number of bytes"
                  + " service limit."),
          retry);
    }
    try {
      return complete(env, value);
    } catch (StatesError e) {
      return failed(env, env.located(e), retry);
    }
  }

  /**
   * The task of a {@link Decision.InvokeTask} failed with {@code error}: returns a {@link
   * Decision.Retry} when a Retrier matches and has attempts left, else the Catch's Next, else Fail.
   */
  public Decision taskFailed(
      JsonNode machine, String name, JsonNode raw, StatesError error, RetryState retry) {
    Env env = env(machine, name, raw, JsonNodeFactory.instance.objectNode());
    return failed(env, error, retry);
  }

  /**
   * Like {@link #taskFailed(JsonNode, String, JsonNode, StatesError, RetryState)}, with the context
   * so that a Catch may assign variables and read {@code $states.context}.
   */
  public Decision taskFailed(
      JsonNode machine,
      String name,
      JsonNode raw,
      ObjectNode context,
      StatesError error,
      RetryState retry) {
    return failed(env(machine, name, raw, context), error, retry);
  }

  /**
   * Whether the outcomes so far (in branch order, of {@code total} branches) already decide the
   * state, so a caller running branches one by one may stop: a failure in a Parallel, or a Map
   * failure that is not tolerated.
   */
  public boolean branchesSettled(
      JsonNode machine, String name, List<Decision.BranchOutcome> outcomes, int total) {
    Env env = env(machine, name, F.objectNode(), F.objectNode());
    try {
      branchResult(env, outcomes, total);
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
    Env env = env(machine, name, raw, context);
    JsonNode result;
    try {
      result = branchResult(env, outcomes, outcomes.size());
    } catch (StatesError e) {
      return failed(env, e, retry);
    }
    try {
      return complete(env, result);
    } catch (StatesError e) {
      return failed(env, env.located(e), retry);
    }
  }

  // ---------------------------------------------------------------- states without a result

  private Decision failState(Env env) {
    JsonNode s = env.state;
    if (env.jsonata()) {
      Scope scope = env.scope();
      String error =
          s.has("Error") ? JsonataEvaluator.string(s.get("Error"), "Error", scope) : null;
      String cause =
          s.has("Cause") ? JsonataEvaluator.string(s.get("Cause"), "Cause", scope) : null;
      return new Decision.Fail(error, cause);
    }
    return new Decision.Fail(failField(env, "Error"), failField(env, "Cause"));
  }

  private String failField(Env env, String field) {
    JsonNode s = env.state;
    if (s.hasNonNull(field)) {
      return s.get(field).asText();
    }
    if (!s.hasNonNull(field + "Path")) {
      return null;
    }
    String path = s.get(field + "Path").asText();
    JsonNode v =
        path.startsWith("States.")
            ? evaluate(path, env.raw, env, field + "Path")
            : pathValue(env, path, env.raw, field + "Path");
    return v.isTextual() ? v.asText() : v.toString();
  }

  private Decision choice(Env env) {
    JsonNode s = env.state;
    if (env.jsonata()) {
      Scope scope = env.scope();
      int i = 0;
      for (JsonNode rule : s.path("Choices")) {
        if (JsonataEvaluator.condition(
            rule.get("Condition"), "Choices[" + i++ + "].Condition", scope)) {
          return leaveJsonata(env, rule.get("Next").asText(), rule, scope);
        }
      }
      if (s.hasNonNull("Default")) {
        return leaveJsonata(env, s.get("Default").asText(), s, scope);
      }
      throw noChoiceMatched(env);
    }
    JsonNode in = in(env);
    for (JsonNode rule : s.path("Choices")) {
      if (matches(rule, in, env)) {
        Map<String, JsonNode> assigned = assignJsonPath(env, rule.get("Assign"), in);
        JsonNode out = output(env, in);
        Variables.assign(env.context, assigned);
        return new Decision.Next(rule.get("Next").asText(), out);
      }
    }
    if (s.hasNonNull("Default")) {
      Map<String, JsonNode> assigned = assignJsonPath(env, s.get("Assign"), in);
      JsonNode out = output(env, in);
      Variables.assign(env.context, assigned);
      return new Decision.Next(s.get("Default").asText(), out);
    }
    throw noChoiceMatched(env);
  }

  private static StatesError noChoiceMatched(Env env) {
    return new StatesError(
        "States.NoChoiceMatched",
        Causes.inState(
            env.name,
            Variables.enteredEventId(env.context),
            "No Choice Rules matched and no default was specified"));
  }

  /** Output and Assign of a JSONata Choice rule (or of the state, for Default). */
  private Decision leaveJsonata(Env env, String next, JsonNode holder, Scope scope) {
    Map<String, JsonNode> assigned = assignJsonata(holder.get("Assign"), scope);
    JsonNode out =
        holder.has("Output")
            ? JsonataEvaluator.evaluate(holder.get("Output"), "Output", scope)
            : env.state.has("Output")
                ? JsonataEvaluator.evaluate(env.state.get("Output"), "Output", scope)
                : env.raw;
    Variables.assign(env.context, assigned);
    return new Decision.Next(next, out);
  }

  private Decision waitState(Env env) {
    JsonNode s = env.state;
    if (env.jsonata()) {
      Scope scope = env.scope();
      Duration d = jsonataWait(env, scope);
      Map<String, JsonNode> assigned = assignJsonata(s.get("Assign"), scope);
      JsonNode out =
          s.has("Output") ? JsonataEvaluator.evaluate(s.get("Output"), "Output", scope) : env.raw;
      Variables.assign(env.context, assigned);
      return new Decision.Wait(d, next(env, out));
    }
    JsonNode in = in(env);
    Duration d = waitDuration(env, in);
    Map<String, JsonNode> assigned = assignJsonPath(env, s.get("Assign"), in);
    JsonNode out = output(env, in);
    Variables.assign(env.context, assigned);
    return new Decision.Wait(d, next(env, out));
  }

  private Duration jsonataWait(Env env, Scope scope) {
    JsonNode s = env.state;
    if (s.has("Seconds")) {
      long seconds = JsonataEvaluator.integer(s.get("Seconds"), "Seconds", scope);
      return checkedWait(env, seconds);
    }
    String ts = JsonataEvaluator.string(s.get("Timestamp"), "Timestamp", scope);
    Instant at = Timestamps.parse(ts);
    if (at == null) {
      throw env.queryEvaluation(
          "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format"
              + " string: "
              + ts);
    }
    return until(env, at);
  }

  private Duration waitDuration(Env env, JsonNode in) {
    JsonNode s = env.state;
    if (s.has("Seconds")) {
      return checkedWait(env, s.get("Seconds").asLong());
    }
    if (s.has("SecondsPath")) {
      String path = s.get("SecondsPath").asText();
      JsonNode v = readPath(env, path, in);
      if (v == null) {
        throw env.runtime("The SecondsPath parameter does not reference an input value: " + path);
      }
      if (!v.isIntegralNumber()) {
        throw env.runtime(
            "The SecondsPath parameter cannot be parsed as a long value: " + path + " == " + v);
      }
      if (v.asLong() < 0) {
        throw env.runtime(
            "The SecondsPath parameter references a negative value: " + path + " == " + v);
      }
      return checkedWait(env, v.asLong());
    }
    if (s.has("Timestamp")) {
      String ts = s.get("Timestamp").asText();
      Instant at = Timestamps.parse(ts);
      if (at == null) {
        throw env.runtime(
            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format"
                + " string: "
                + ts);
      }
      return until(env, at);
    }
    String path = s.get("TimestampPath").asText();
    JsonNode v = readPath(env, path, in);
    Instant at = v != null && v.isTextual() ? Timestamps.parse(v.asText()) : null;
    if (at == null) {
      throw env.runtime(
          "The TimestampPath parameter does not reference a valid ISO-8601 extended offset"
              + " date-time format string: "
              + path
              + " == "
              + (v == null ? "null" : v.isTextual() ? v.asText() : v.toString()));
    }
    return until(env, at);
  }

  private static Duration checkedWait(Env env, long seconds) {
    if (seconds > MAX_WAIT_SECONDS) {
      throw env.runtime("Wait state delay is too long.");
    }
    return Duration.ofSeconds(Math.max(0, seconds));
  }

  private Duration until(Env env, Instant at) {
    Duration d = Duration.between(clock.instant(), at);
    if (d.getSeconds() > MAX_WAIT_SECONDS) {
      throw env.runtime("Wait state delay is too long.");
    }
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Decision next(Env env, JsonNode output) {
    return env.state.path("End").asBoolean(false)
        ? new Decision.Succeed(output)
        : new Decision.Next(env.state.path("Next").asText(), output);
  }

  // ---------------------------------------------------------------- errors, retry and catch

  private Decision failed(Env env, StatesError e, RetryState retry) {
    JsonNode state = env.state;
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
        try {
          return caught(env, c, e);
        } catch (StatesError inCatch) {
          return new Decision.Fail(inCatch.error(), env.located(inCatch).causeText());
        }
      }
    }
    return new Decision.Fail(e.error(), e.causeText());
  }

  private Decision caught(Env env, JsonNode catcher, StatesError e) {
    ObjectNode err = F.objectNode();
    err.put("Error", e.error() == null ? "" : e.error());
    err.put("Cause", e.causeText() == null ? "" : e.causeText());
    String next = catcher.get("Next").asText();
    if (env.jsonata()) {
      Scope scope = env.scope().withErrorOutput(err);
      Map<String, JsonNode> assigned = assignJsonata(catcher.get("Assign"), scope);
      JsonNode out =
          catcher.has("Output")
              ? JsonataEvaluator.evaluate(catcher.get("Output"), "Output", scope)
              : err;
      Variables.assign(env.context, assigned);
      return new Decision.Next(next, out);
    }
    Map<String, JsonNode> assigned = assignJsonPath(env, catcher.get("Assign"), err);
    String resultPath = catcher.has("ResultPath") ? textOrNull(catcher.get("ResultPath")) : "$";
    JsonNode out = resultPath == null ? env.raw : Paths.write(env.raw, resultPath, err);
    Variables.assign(env.context, assigned);
    return new Decision.Next(next, out);
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
      if ("States.HeartbeatTimeout".equals(name) && "States.Timeout".equals(error)) {
        // the service reports a missed heartbeat as States.Timeout
        return true;
      }
      if ("States.ALL".equals(name) && !"States.Runtime".equals(error)) {
        return true;
      }
      if ("States.TaskFailed".equals(name)
          && error != null
          && TASK_ERRORS.matcher(error).matches()) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- Pass, Task, Parallel, Map

  private Decision execute(Env env, RetryState retry) {
    try {
      ObjectNode stateCtx = (ObjectNode) env.context.get("State");
      if (stateCtx != null) {
        stateCtx.put("RetryCount", retry.attempt());
      }
      String type = env.state.path("Type").asText();
      if (env.jsonata()) {
        return executeJsonata(env, type, retry);
      }
      JsonNode in = in(env);
      boolean parameters = env.state.has("Parameters") && !"Map".equals(type);
      JsonNode effective = parameters ? template(env.state.get("Parameters"), in, env) : in;
      switch (type) {
        case "Pass" -> {
          JsonNode result = env.state.has("Result") ? env.state.get("Result") : effective;
          return complete(env, result);
        }
        case "Task" -> {
          return new Decision.InvokeTask(
              env.state.path("Resource").asText(),
              effective,
              retry,
              taskLimit(env, "TimeoutSeconds", in),
              taskLimit(env, "HeartbeatSeconds", in));
        }
        case "Parallel" -> {
          List<Decision.Branch> branches = new ArrayList<>();
          for (JsonNode branch : env.state.path("Branches")) {
            branches.add(new Decision.Branch(branch, effective, branchContext(env)));
          }
          return new Decision.RunBranches(branches, retry);
        }
        case "Map" -> {
          return new Decision.RunBranches(mapItems(env, in), retry);
        }
        default -> throw env.runtime("unknown state type " + env.state.path("Type"));
      }
    } catch (StatesError e) {
      return failed(env, env.located(e), retry);
    }
  }

  private Decision executeJsonata(Env env, String type, RetryState retry) {
    Scope scope = env.scope();
    JsonNode args =
        env.state.has("Arguments")
            ? JsonataEvaluator.evaluate(env.state.get("Arguments"), "Arguments", scope)
            : env.raw;
    switch (type) {
      case "Pass" -> {
        return complete(env, env.state.has("Result") ? env.state.get("Result") : env.raw);
      }
      case "Task" -> {
        return new Decision.InvokeTask(
            env.state.path("Resource").asText(),
            args,
            retry,
            taskLimit(env, "TimeoutSeconds", null),
            taskLimit(env, "HeartbeatSeconds", null));
      }
      case "Parallel" -> {
        List<Decision.Branch> branches = new ArrayList<>();
        for (JsonNode branch : env.state.path("Branches")) {
          branches.add(new Decision.Branch(branch, args, branchContext(env)));
        }
        return new Decision.RunBranches(branches, retry);
      }
      case "Map" -> {
        return new Decision.RunBranches(mapItems(env, null), retry);
      }
      default -> throw env.runtime("unknown state type " + env.state.path("Type"));
    }
  }

  /** TimeoutSeconds or HeartbeatSeconds of a Task, from the field, its path or an expression. */
  private Duration taskLimit(Env env, String field, JsonNode in) {
    JsonNode s = env.state;
    if (s.has(field)) {
      JsonNode v = s.get(field);
      long seconds =
          JsonataEvaluator.isExpression(v)
              ? JsonataEvaluator.integer(v, field, env.scope())
              : v.asLong();
      return Duration.ofSeconds(seconds);
    }
    if (s.has(field + "Path") && in != null) {
      String path = s.get(field + "Path").asText();
      JsonNode v = requiredPath(env, path, in);
      if (!v.isIntegralNumber() || v.asLong() <= 0) {
        throw env.runtime(
            "The "
                + field
                + "Path field refers to value \""
                + (v.isTextual() ? v.asText() : v.toString())
                + "\" which is not a valid integer: "
                + path);
      }
      return Duration.ofSeconds(v.asLong());
    }
    return null;
  }

  /** A branch or iteration context: a copy, so inner assignments stay in the inner scope. */
  private static ObjectNode branchContext(Env env) {
    ObjectNode ctx = env.context.deepCopy();
    Variables.inheritQueryLanguage(ctx, env.machineLanguage());
    return ctx;
  }

  /** Applies the result part of the state and decides where to go. */
  private Decision complete(Env env, JsonNode result) {
    JsonNode state = env.state;
    if (env.jsonata()) {
      boolean hasResult = !"Pass".equals(state.path("Type").asText());
      Scope scope = hasResult ? env.scope().withResult(result) : env.scope();
      Map<String, JsonNode> assigned = assignJsonata(state.get("Assign"), scope);
      JsonNode out =
          state.has("Output")
              ? JsonataEvaluator.evaluate(state.get("Output"), "Output", scope)
              : hasResult ? result : env.raw;
      Variables.assign(env.context, assigned);
      return next(env, out);
    }
    Map<String, JsonNode> assigned = assignJsonPath(env, state.get("Assign"), result);
    if (state.has("ResultSelector")) {
      result = template(state.get("ResultSelector"), result, env);
    }
    JsonNode afterResult;
    if (state.has("ResultPath") && state.get("ResultPath").isNull()) {
      afterResult = env.raw;
    } else {
      afterResult = Paths.write(env.raw, state.path("ResultPath").asText("$"), result);
    }
    JsonNode out = output(env, afterResult);
    Variables.assign(env.context, assigned);
    return next(env, out);
  }

  private Map<String, JsonNode> assignJsonata(JsonNode assign, Scope scope) {
    Map<String, JsonNode> values = new LinkedHashMap<>();
    if (assign == null) {
      return values;
    }
    for (Map.Entry<String, JsonNode> e : assign.properties()) {
      values.put(
          e.getKey(), JsonataEvaluator.evaluate(e.getValue(), "Assign/" + e.getKey(), scope));
    }
    return values;
  }

  private Map<String, JsonNode> assignJsonPath(Env env, JsonNode assign, JsonNode value) {
    Map<String, JsonNode> values = new LinkedHashMap<>();
    if (assign == null) {
      return values;
    }
    JsonNode evaluated = template(assign, value, env);
    evaluated.properties().forEach(e -> values.put(e.getKey(), e.getValue()));
    return values;
  }

  private List<Decision.Branch> mapItems(Env env, JsonNode in) {
    JsonNode state = env.state;
    boolean jsonata = env.jsonata();
    JsonNode items;
    if (jsonata) {
      items =
          state.has("Items")
              ? JsonataEvaluator.array(state.get("Items"), "Items", env.scope())
              : env.raw;
    } else {
      items = state.has("ItemsPath") ? requiredPath(env, state.get("ItemsPath").asText(), in) : in;
    }
    if (!items.isArray()) {
      String detail = "Map state input must be an array but was: " + items;
      throw jsonata ? env.queryEvaluation(detail) : env.runtime(detail);
    }
    mapLimits(env, in);
    JsonNode processor =
        state.has("ItemProcessor") ? state.get("ItemProcessor") : state.get("Iterator");
    JsonNode selector =
        state.has("ItemSelector") ? state.get("ItemSelector") : state.get("Parameters");
    List<Decision.Branch> branches = new ArrayList<>();
    int index = 0;
    for (JsonNode item : items) {
      ObjectNode ctx = branchContext(env);
      ObjectNode mapCtx = ctx.putObject("Map").putObject("Item");
      mapCtx.put("Index", index++);
      mapCtx.set("Value", item);
      JsonNode itemInput;
      if (selector == null) {
        itemInput = item;
      } else if (jsonata) {
        Scope scope =
            new Scope(
                env.name,
                Variables.enteredEventId(env.context),
                env.raw,
                null,
                null,
                Variables.visible(ctx),
                env.variables());
        itemInput = JsonataEvaluator.evaluate(selector, "ItemSelector", scope);
      } else {
        itemInput = template(selector, in, new Env(env.machine, state, env.name, env.raw, ctx));
      }
      branches.add(new Decision.Branch(processor, itemInput, ctx));
    }
    return branches;
  }

  /** Reads and checks MaxConcurrency and the tolerated failure limits from their paths. */
  private void mapLimits(Env env, JsonNode in) {
    JsonNode s = env.state;
    if (env.jsonata()) {
      Scope scope = env.scope();
      if (s.has("ToleratedFailureCount")
          && JsonataEvaluator.integer(
                  s.get("ToleratedFailureCount"), "ToleratedFailureCount", scope)
              < 0) {
        throw env.runtime("ToleratedFailureCount cannot be negative.");
      }
      if (s.has("ToleratedFailurePercentage")) {
        double pct =
            JsonataEvaluator.number(
                s.get("ToleratedFailurePercentage"), "ToleratedFailurePercentage", scope);
        if (pct < 0 || pct > 100) {
          throw env.runtime("ToleratedFailurePercentage must be between 0 and 100.");
        }
      }
      return;
    }
    pathLimit(env, in, "MaxConcurrencyPath", false);
    Double count = pathLimit(env, in, "ToleratedFailureCountPath", false);
    if (count != null && count < 0) {
      throw env.runtime("ToleratedFailureCount cannot be negative.");
    }
    Double pct = pathLimit(env, in, "ToleratedFailurePercentagePath", true);
    if (pct != null && (pct < 0 || pct > 100)) {
      throw env.runtime("ToleratedFailurePercentage must be between 0 and 100.");
    }
  }

  private Double pathLimit(Env env, JsonNode in, String field, boolean decimal) {
    if (!env.state.has(field)) {
      return null;
    }
    String path = env.state.get(field).asText();
    JsonNode v = readPath(env, path, in);
    if (v == null) {
      throw env.runtime("Invalid path '" + path + "' : " + Paths.notFoundDetail(in, path));
    }
    boolean ok = decimal ? v.isNumber() : v.isIntegralNumber();
    if (!ok) {
      throw env.runtime(
          "The "
              + field
              + " field refers to value \""
              + (v.isTextual() ? v.asText() : v.toString())
              + "\" which is not a valid "
              + (decimal ? "float" : "integer")
              + ": "
              + path);
    }
    return v.asDouble();
  }

  /** The Parallel/Map result of the outcomes; throws the error that fails the state. */
  private JsonNode branchResult(Env env, List<Decision.BranchOutcome> outcomes, int total) {
    JsonNode state = env.state;
    boolean map = "Map".equals(state.path("Type").asText());
    Double count = limit(env, "ToleratedFailureCount");
    Double pct = limit(env, "ToleratedFailurePercentage");
    boolean tolerates = map && (count != null || pct != null);
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
          boolean overCount = count == null || failures > count;
          boolean overPct = pct == null || failures * 100.0 / total > pct;
          if (overCount && overPct) {
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

  /** A tolerated-failure limit from its field or path (null when absent or unreadable here). */
  private Double limit(Env env, String field) {
    JsonNode s = env.state;
    if (s.has(field)) {
      JsonNode v = s.get(field);
      if (JsonataEvaluator.isExpression(v)) {
        try {
          return JsonataEvaluator.number(v, field, env.scope());
        } catch (StatesError e) {
          return null;
        }
      }
      return v.asDouble();
    }
    if (s.has(field + "Path") && env.raw != null) {
      JsonNode in = env.raw;
      try {
        in = in(env);
      } catch (StatesError e) {
        return null;
      }
      JsonNode v = readPath(env, s.get(field + "Path").asText(), in);
      return v != null && v.isNumber() ? v.asDouble() : null;
    }
    return null;
  }

  // ---------------------------------------------------------------- JSONPath input/output

  private JsonNode in(Env env) {
    JsonNode state = env.state;
    if (!state.has("InputPath")) {
      return env.raw;
    }
    if (state.get("InputPath").isNull()) {
      return F.objectNode();
    }
    return requiredPath(env, state.get("InputPath").asText(), env.raw);
  }

  private JsonNode output(Env env, JsonNode data) {
    JsonNode state = env.state;
    if (!state.has("OutputPath")) {
      return data;
    }
    if (state.get("OutputPath").isNull()) {
      return F.objectNode();
    }
    return requiredPath(env, state.get("OutputPath").asText(), data);
  }

  private JsonNode jsonataOutput(Env env, JsonNode result) {
    Scope scope = result == null ? env.scope() : env.scope().withResult(result);
    return env.state.has("Output")
        ? JsonataEvaluator.evaluate(env.state.get("Output"), "Output", scope)
        : result == null ? env.raw : result;
  }

  /** Reads a JSONPath, context path or variable path; null when nothing matches. */
  private static JsonNode readPath(Env env, String path, JsonNode data) {
    if (path.startsWith("$$")) {
      return Paths.read(Variables.visible(env.context), path.substring(1));
    }
    if (Paths.variableName(path) != null) {
      return Paths.readVariable(env.variables(), path);
    }
    return Paths.read(data, path);
  }

  private static JsonNode requiredPath(Env env, String path, JsonNode data) {
    JsonNode v = readPath(env, path, data);
    if (v == null) {
      throw env.runtime(
          "Invalid path '"
              + path
              + "' : "
              + Paths.notFoundDetail(
                  path.startsWith("$$") ? Variables.visible(env.context) : data,
                  path.startsWith("$$") ? path.substring(1) : path));
    }
    return v;
  }

  /** Applies a payload template: keys ending in .$ take a path, context path or intrinsic. */
  private JsonNode template(JsonNode template, JsonNode in, Env env) {
    if (template.isObject()) {
      ObjectNode out = F.objectNode();
      for (Map.Entry<String, JsonNode> e : template.properties()) {
        String key = e.getKey();
        if (key.endsWith(".$") && e.getValue().isTextual()) {
          out.set(
              key.substring(0, key.length() - 2), evaluate(e.getValue().asText(), in, env, key));
        } else {
          out.set(key, template(e.getValue(), in, env));
        }
      }
      return out;
    }
    if (template.isArray()) {
      ArrayNode out = F.arrayNode();
      for (JsonNode n : template) {
        out.add(template(n, in, env));
      }
      return out;
    }
    return template;
  }

  private JsonNode evaluate(String expr, JsonNode in, Env env, String field) {
    if (expr.startsWith("States.")) {
      try {
        return Intrinsics.call(expr, arg -> pathValue(env, arg, in, field));
      } catch (StatesError e) {
        throw env.located(e);
      }
    }
    if (expr.startsWith("$")) {
      return pathValue(env, expr, in, field);
    }
    throw env.runtime("invalid path or intrinsic: " + expr);
  }

  private static JsonNode pathValue(Env env, String path, JsonNode data, String field) {
    JsonNode node = readPath(env, path, data);
    if (node == null) {
      throw env.runtime(
          "The JSONPath '"
              + path
              + "' specified for the field '"
              + field
              + "' could not be found in the input '"
              + data
              + "'");
    }
    return node;
  }

  // ---------------------------------------------------------------- JSONPath Choice rules

  private boolean matches(JsonNode rule, JsonNode in, Env env) {
    if (rule.has("And")) {
      for (JsonNode r : rule.get("And")) {
        if (!matches(r, in, env)) {
          return false;
        }
      }
      return true;
    }
    if (rule.has("Or")) {
      for (JsonNode r : rule.get("Or")) {
        if (matches(r, in, env)) {
          return true;
        }
      }
      return false;
    }
    if (rule.has("Not")) {
      return !matches(rule.get("Not"), in, env);
    }
    String variable = rule.path("Variable").asText();
    JsonNode value = readPath(env, variable, in);
    Iterator<String> names = rule.fieldNames();
    while (names.hasNext()) {
      String op = names.next();
      if (op.equals("Variable")
          || op.equals("Next")
          || op.equals("Comment")
          || op.equals("Assign")) {
        continue;
      }
      JsonNode operand = rule.get(op);
      if (op.endsWith("Path") && !op.equals("IsPresent")) {
        String path = operand.asText();
        op = op.substring(0, op.length() - 4);
        operand = readPath(env, path, in);
        if (operand == null) {
          throw env.runtime("Invalid path '" + path + "' : " + Paths.notFoundDetail(in, path));
        }
      }
      if (value == null && !op.startsWith("Is")) {
        throw env.runtime(
            "Invalid path '" + variable + "' : " + Paths.notFoundDetail(in, variable));
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
        return (v != null && v.isTextual() && Timestamps.parse(v.asText()) != null)
            == operand.asBoolean();
      default:
        break;
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
      Instant a = Timestamps.parse(v.asText());
      Instant b = Timestamps.parse(operand.asText());
      if (a == null || b == null) {
        return false;
      }
      return cmp(op.substring(9), a.compareTo(b));
    }
    throw new StatesError("States.Runtime", "unknown comparison operator " + op);
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
