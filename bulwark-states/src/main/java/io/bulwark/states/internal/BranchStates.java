package io.bulwark.states.internal;

import static io.bulwark.states.internal.JsonPathFields.in;
import static io.bulwark.states.internal.JsonPathFields.readPath;
import static io.bulwark.states.internal.JsonPathFields.requiredPath;
import static io.bulwark.states.internal.JsonPathFields.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import io.bulwark.states.internal.jsonata.JsonataEvaluator;
import io.bulwark.states.internal.jsonata.JsonataEvaluator.Scope;
import java.util.ArrayList;
import java.util.List;

/**
 * The branches of Parallel and Map states: a Map's items with their inputs and contexts, its
 * MaxConcurrency and tolerated-failure limits, and the state's result from its branches' outcomes.
 */
final class BranchStates {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private BranchStates() {}

  /** A branch or iteration context: a copy, so inner assignments stay in the inner scope. */
  static ObjectNode branchContext(StateEnv env) {
    ObjectNode ctx = env.context().deepCopy();
    Variables.inheritQueryLanguage(ctx, env.machineLanguage());
    return ctx;
  }

  /**
   * The iterations of a Map state over its items (ItemsPath or Items) from its effective input
   * {@code in}, each with its ItemSelector input and a context holding {@code $$.Map.Item}.
   */
  static List<Decision.Branch> mapItems(StateEnv env, JsonNode in) {
    JsonNode state = env.state();
    boolean jsonata = env.jsonata();
    JsonNode items;
    if (jsonata) {
      items =
          state.has("Items")
              ? JsonataEvaluator.array(state.get("Items"), "Items", env.scope())
              : env.raw();
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
                env.name(),
                Variables.enteredEventId(env.context()),
                env.raw(),
                null,
                null,
                Variables.visible(ctx),
                env.variables());
        itemInput = JsonataEvaluator.evaluate(selector, "ItemSelector", scope);
      } else {
        itemInput =
            template(selector, in, new StateEnv(env.machine(), state, env.name(), env.raw(), ctx));
      }
      branches.add(new Decision.Branch(processor, itemInput, ctx));
    }
    return branches;
  }

  /** Reads and checks MaxConcurrency and the tolerated failure limits from their paths. */
  private static void mapLimits(StateEnv env, JsonNode in) {
    JsonNode s = env.state();
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

  private static Double pathLimit(StateEnv env, JsonNode in, String field, boolean decimal) {
    if (!env.state().has(field)) {
      return null;
    }
    String path = env.state().get(field).asText();
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
  static JsonNode branchResult(StateEnv env, List<Decision.BranchOutcome> outcomes, int total) {
    JsonNode state = env.state();
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
  private static Double limit(StateEnv env, String field) {
    JsonNode s = env.state();
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
    if (s.has(field + "Path") && env.raw() != null) {
      JsonNode in = env.raw();
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
}
