package io.bulwark.states.internal;

import static io.bulwark.states.internal.JsonPathFields.assignJsonPath;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import io.bulwark.states.internal.jsonata.JsonataEvaluator;
import io.bulwark.states.internal.jsonata.JsonataEvaluator.Scope;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a state that raised an error does: a matching Retrier retries it after its back-off (with
 * MaxDelaySeconds and jitter), else a matching Catcher goes to its Next with the error output, else
 * the state fails with the error.
 */
final class RetryAndCatch {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /**
   * What States.TaskFailed matches: any error a task raised, including the service's own task
   * errors, but not States.Timeout (nor the errors of the state machine itself).
   */
  private static final java.util.regex.Pattern TASK_ERRORS =
      java.util.regex.Pattern.compile(
          "(?!States\\.).*|States\\.(TaskFailed|HeartbeatTimeout|Permissions)");

  private RetryAndCatch() {}

  /**
   * The state of {@code env} raised {@code e} on attempt {@code retry}: a {@link Decision.Retry}
   * when a Retrier matches and has attempts left, else the Catch's Next, else Fail.
   */
  static Decision failed(StateEnv env, StatesError e, RetryState retry) {
    JsonNode state = env.state();
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

  private static Decision caught(StateEnv env, JsonNode catcher, StatesError e) {
    ObjectNode err = F.objectNode();
    err.put("Error", e.error() == null ? "" : e.error());
    err.put("Cause", e.causeText() == null ? "" : e.causeText());
    String next = catcher.get("Next").asText();
    if (env.jsonata()) {
      Scope scope = env.scope().withErrorOutput(err);
      Map<String, JsonNode> assigned = JsonataEvaluator.assign(catcher.get("Assign"), scope);
      JsonNode out =
          catcher.has("Output")
              ? JsonataEvaluator.evaluate(catcher.get("Output"), "Output", scope)
              : err;
      Variables.assign(env.context(), assigned);
      return new Decision.Next(next, out);
    }
    Map<String, JsonNode> assigned = assignJsonPath(env, catcher.get("Assign"), err);
    String resultPath = catcher.has("ResultPath") ? textOrNull(catcher.get("ResultPath")) : "$";
    JsonNode out = resultPath == null ? env.raw() : Paths.write(env.raw(), resultPath, err);
    Variables.assign(env.context(), assigned);
    return new Decision.Next(next, out);
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private static boolean errorMatches(JsonNode errorEquals, String error) {
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
}
