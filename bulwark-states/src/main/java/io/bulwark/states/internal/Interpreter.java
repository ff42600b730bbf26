package io.bulwark.states.internal;

import static io.bulwark.states.internal.BranchStates.branchContext;
import static io.bulwark.states.internal.BranchStates.branchResult;
import static io.bulwark.states.internal.BranchStates.mapItems;
import static io.bulwark.states.internal.ChoiceRules.matches;
import static io.bulwark.states.internal.JsonPathFields.assignJsonPath;
import static io.bulwark.states.internal.JsonPathFields.evaluate;
import static io.bulwark.states.internal.JsonPathFields.in;
import static io.bulwark.states.internal.JsonPathFields.output;
import static io.bulwark.states.internal.JsonPathFields.pathValue;
import static io.bulwark.states.internal.JsonPathFields.readPath;
import static io.bulwark.states.internal.JsonPathFields.requiredPath;
import static io.bulwark.states.internal.JsonPathFields.template;
import static io.bulwark.states.internal.RetryAndCatch.failed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import io.bulwark.states.internal.jsonata.JsonataEvaluator;
import io.bulwark.states.internal.jsonata.JsonataEvaluator.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * Assign}, {@code {% %}} expressions with {@code $states}). This class decides per state type;
 * {@link JsonPathFields} applies the JSONPath fields, {@link ChoiceRules} the Choice rules, {@link
 * BranchStates} the Parallel and Map branches, and {@link RetryAndCatch} what an error leads to.
 */
public final class Interpreter {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
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

  private final Clock clock;

  /**
   * An interpreter reading the time (for Timestamp and TimestampPath waits) from {@code clock}; it
   * holds no other state, one instance may serve every execution on that clock.
   */
  public Interpreter(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Executes state {@code name} of {@code machine} with raw input {@code raw}. {@code context} is
   * the context object ({@code $$}) whose {@code State} was set on entering the state (see {@link
   * ContextObject#enterState}); its {@code State.RetryCount} is set from {@code retry}.
   */
  public Decision step(
      JsonNode machine, String name, JsonNode raw, ObjectNode context, RetryState retry) {
    StateEnv env = StateEnv.of(machine, name, raw, context);
    String type = env.state().path("Type").asText();
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
    StateEnv env = StateEnv.of(machine, name, raw, context);
    JsonNode value = result == null ? NullNode.instance : result;
    if (value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PAYLOAD) {
      return failed(
          env,
          new StatesError(
              "States.DataLimitExceeded",
              "The state/task '"
                  + taskName(env.state().path("Resource").asText())
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
    StateEnv env = StateEnv.of(machine, name, raw, JsonNodeFactory.instance.objectNode());
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
    return failed(StateEnv.of(machine, name, raw, context), error, retry);
  }

  /**
   * Whether the outcomes so far (in branch order, of {@code total} branches) already decide the
   * state, so a caller running branches one by one may stop: a failure in a Parallel, or a Map
   * failure that is not tolerated.
   */
  public boolean branchesSettled(
      JsonNode machine, String name, List<Decision.BranchOutcome> outcomes, int total) {
    StateEnv env = StateEnv.of(machine, name, F.objectNode(), F.objectNode());
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
    StateEnv env = StateEnv.of(machine, name, raw, context);
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

  private Decision failState(StateEnv env) {
    JsonNode s = env.state();
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

  private String failField(StateEnv env, String field) {
    JsonNode s = env.state();
    if (s.hasNonNull(field)) {
      return s.get(field).asText();
    }
    if (!s.hasNonNull(field + "Path")) {
      return null;
    }
    String path = s.get(field + "Path").asText();
    JsonNode v =
        path.startsWith("States.")
            ? evaluate(path, env.raw(), env, field + "Path")
            : pathValue(env, path, env.raw(), field + "Path");
    return v.isTextual() ? v.asText() : v.toString();
  }

  private Decision choice(StateEnv env) {
    JsonNode s = env.state();
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
        Variables.assign(env.context(), assigned);
        return new Decision.Next(rule.get("Next").asText(), out);
      }
    }
    if (s.hasNonNull("Default")) {
      Map<String, JsonNode> assigned = assignJsonPath(env, s.get("Assign"), in);
      JsonNode out = output(env, in);
      Variables.assign(env.context(), assigned);
      return new Decision.Next(s.get("Default").asText(), out);
    }
    throw noChoiceMatched(env);
  }

  private static StatesError noChoiceMatched(StateEnv env) {
    return new StatesError(
        "States.NoChoiceMatched",
        Causes.inState(
            env.name(),
            Variables.enteredEventId(env.context()),
            "No Choice Rules matched and no default was specified"));
  }

  /** Output and Assign of a JSONata Choice rule (or of the state, for Default). */
  private Decision leaveJsonata(StateEnv env, String next, JsonNode holder, Scope scope) {
    Map<String, JsonNode> assigned = JsonataEvaluator.assign(holder.get("Assign"), scope);
    JsonNode out =
        holder.has("Output")
            ? JsonataEvaluator.evaluate(holder.get("Output"), "Output", scope)
            : env.state().has("Output")
                ? JsonataEvaluator.evaluate(env.state().get("Output"), "Output", scope)
                : env.raw();
    Variables.assign(env.context(), assigned);
    return new Decision.Next(next, out);
  }

  private Decision waitState(StateEnv env) {
    JsonNode s = env.state();
    if (env.jsonata()) {
      Scope scope = env.scope();
      Duration d = jsonataWait(env, scope);
      Map<String, JsonNode> assigned = JsonataEvaluator.assign(s.get("Assign"), scope);
      JsonNode out =
          s.has("Output") ? JsonataEvaluator.evaluate(s.get("Output"), "Output", scope) : env.raw();
      Variables.assign(env.context(), assigned);
      return new Decision.Wait(d, next(env, out));
    }
    JsonNode in = in(env);
    Duration d = waitDuration(env, in);
    Map<String, JsonNode> assigned = assignJsonPath(env, s.get("Assign"), in);
    JsonNode out = output(env, in);
    Variables.assign(env.context(), assigned);
    return new Decision.Wait(d, next(env, out));
  }

  private Duration jsonataWait(StateEnv env, Scope scope) {
    JsonNode s = env.state();
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

  private Duration waitDuration(StateEnv env, JsonNode in) {
    JsonNode s = env.state();
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

  private static Duration checkedWait(StateEnv env, long seconds) {
    if (seconds > MAX_WAIT_SECONDS) {
      throw env.runtime("Wait state delay is too long.");
    }
    return Duration.ofSeconds(Math.max(0, seconds));
  }

  private Duration until(StateEnv env, Instant at) {
    Duration d = Duration.between(clock.instant(), at);
    if (d.getSeconds() > MAX_WAIT_SECONDS) {
      throw env.runtime("Wait state delay is too long.");
    }
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Decision next(StateEnv env, JsonNode output) {
    return env.state().path("End").asBoolean(false)
        ? new Decision.Succeed(output)
        : new Decision.Next(env.state().path("Next").asText(), output);
  }

  // ---------------------------------------------------------------- Pass, Task, Parallel, Map

  private Decision execute(StateEnv env, RetryState retry) {
    try {
      ObjectNode stateCtx = (ObjectNode) env.context().get("State");
      if (stateCtx != null) {
        stateCtx.put("RetryCount", retry.attempt());
      }
      String type = env.state().path("Type").asText();
      if (env.jsonata()) {
        return executeJsonata(env, type, retry);
      }
      JsonNode in = in(env);
      boolean parameters = env.state().has("Parameters") && !"Map".equals(type);
      JsonNode effective = parameters ? template(env.state().get("Parameters"), in, env) : in;
      switch (type) {
        case "Pass" -> {
          JsonNode result = env.state().has("Result") ? env.state().get("Result") : effective;
          return complete(env, result);
        }
        case "Task" -> {
          return new Decision.InvokeTask(
              env.state().path("Resource").asText(),
              effective,
              retry,
              taskLimit(env, "TimeoutSeconds", in),
              taskLimit(env, "HeartbeatSeconds", in));
        }
        case "Parallel" -> {
          List<Decision.Branch> branches = new ArrayList<>();
          for (JsonNode branch : env.state().path("Branches")) {
            branches.add(new Decision.Branch(branch, effective, branchContext(env)));
          }
          return new Decision.RunBranches(branches, retry);
        }
        case "Map" -> {
          return new Decision.RunBranches(mapItems(env, in), retry);
        }
        default -> throw env.runtime("unknown state type " + env.state().path("Type"));
      }
    } catch (StatesError e) {
      return failed(env, env.located(e), retry);
    }
  }

  private Decision executeJsonata(StateEnv env, String type, RetryState retry) {
    Scope scope = env.scope();
    JsonNode args =
        env.state().has("Arguments")
            ? JsonataEvaluator.evaluate(env.state().get("Arguments"), "Arguments", scope)
            : env.raw();
    switch (type) {
      case "Pass" -> {
        return complete(env, env.state().has("Result") ? env.state().get("Result") : env.raw());
      }
      case "Task" -> {
        return new Decision.InvokeTask(
            env.state().path("Resource").asText(),
            args,
            retry,
            taskLimit(env, "TimeoutSeconds", null),
            taskLimit(env, "HeartbeatSeconds", null));
      }
      case "Parallel" -> {
        List<Decision.Branch> branches = new ArrayList<>();
        for (JsonNode branch : env.state().path("Branches")) {
          branches.add(new Decision.Branch(branch, args, branchContext(env)));
        }
        return new Decision.RunBranches(branches, retry);
      }
      case "Map" -> {
        return new Decision.RunBranches(mapItems(env, null), retry);
      }
      default -> throw env.runtime("unknown state type " + env.state().path("Type"));
    }
  }

  /** TimeoutSeconds or HeartbeatSeconds of a Task, from the field, its path or an expression. */
  private Duration taskLimit(StateEnv env, String field, JsonNode in) {
    JsonNode s = env.state();
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

  /** Applies the result part of the state and decides where to go. */
  private Decision complete(StateEnv env, JsonNode result) {
    JsonNode state = env.state();
    if (env.jsonata()) {
      boolean hasResult = !"Pass".equals(state.path("Type").asText());
      Scope scope = hasResult ? env.scope().withResult(result) : env.scope();
      Map<String, JsonNode> assigned = JsonataEvaluator.assign(state.get("Assign"), scope);
      JsonNode out =
          state.has("Output")
              ? JsonataEvaluator.evaluate(state.get("Output"), "Output", scope)
              : hasResult ? result : env.raw();
      Variables.assign(env.context(), assigned);
      return next(env, out);
    }
    Map<String, JsonNode> assigned = assignJsonPath(env, state.get("Assign"), result);
    if (state.has("ResultSelector")) {
      result = template(state.get("ResultSelector"), result, env);
    }
    JsonNode afterResult;
    if (state.has("ResultPath") && state.get("ResultPath").isNull()) {
      afterResult = env.raw();
    } else {
      afterResult = Paths.write(env.raw(), state.path("ResultPath").asText("$"), result);
    }
    JsonNode out = output(env, afterResult);
    Variables.assign(env.context(), assigned);
    return next(env, out);
  }

  private JsonNode jsonataOutput(StateEnv env, JsonNode result) {
    Scope scope = result == null ? env.scope() : env.scope().withResult(result);
    return env.state().has("Output")
        ? JsonataEvaluator.evaluate(env.state().get("Output"), "Output", scope)
        : result == null ? env.raw() : result;
  }

  static ObjectMapper mapper() {
    return MAPPER;
  }
}
