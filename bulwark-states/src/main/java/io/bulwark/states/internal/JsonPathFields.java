package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSONPath fields of a state: InputPath and OutputPath, payload templates (Parameters,
 * ResultSelector, ItemSelector, Assign) with their paths, context paths, variable paths and
 * intrinsic functions.
 */
final class JsonPathFields {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private JsonPathFields() {}

  /** The state's effective input: its raw input through InputPath ({} for null). */
  static JsonNode in(StateEnv env) {
    JsonNode state = env.state();
    if (!state.has("InputPath")) {
      return env.raw();
    }
    if (state.get("InputPath").isNull()) {
      return F.objectNode();
    }
    return requiredPath(env, state.get("InputPath").asText(), env.raw());
  }

  /** {@code data} through the state's OutputPath ({} for null). */
  static JsonNode output(StateEnv env, JsonNode data) {
    JsonNode state = env.state();
    if (!state.has("OutputPath")) {
      return data;
    }
    if (state.get("OutputPath").isNull()) {
      return F.objectNode();
    }
    return requiredPath(env, state.get("OutputPath").asText(), data);
  }

  /** Reads a JSONPath, context path or variable path; null when nothing matches. */
  static JsonNode readPath(StateEnv env, String path, JsonNode data) {
    if (path.startsWith("$$")) {
      return Paths.read(Variables.visible(env.context()), path.substring(1));
    }
    if (Paths.variableName(path) != null) {
      return Paths.readVariable(env.variables(), path);
    }
    return Paths.read(data, path);
  }

  /** As {@link #readPath}; a path that matches nothing raises {@code States.Runtime}. */
  static JsonNode requiredPath(StateEnv env, String path, JsonNode data) {
    JsonNode v = readPath(env, path, data);
    if (v == null) {
      throw env.runtime(
          "Invalid path '"
              + path
              + "' : "
              + Paths.notFoundDetail(
                  path.startsWith("$$") ? Variables.visible(env.context()) : data,
                  path.startsWith("$$") ? path.substring(1) : path));
    }
    return v;
  }

  /** Applies a payload template: keys ending in .$ take a path, context path or intrinsic. */
  static JsonNode template(JsonNode template, JsonNode in, StateEnv env) {
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

  /** The value of a path or intrinsic function {@code expr} given for {@code field}. */
  static JsonNode evaluate(String expr, JsonNode in, StateEnv env, String field) {
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

  /** The value of {@code path} given for {@code field}; raises States.Runtime when it is absent. */
  static JsonNode pathValue(StateEnv env, String path, JsonNode data, String field) {
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

  /** The values of a JSONPath {@code Assign} template (null for none) applied to {@code value}. */
  static Map<String, JsonNode> assignJsonPath(StateEnv env, JsonNode assign, JsonNode value) {
    Map<String, JsonNode> values = new LinkedHashMap<>();
    if (assign == null) {
      return values;
    }
    JsonNode evaluated = template(assign, value, env);
    evaluated.properties().forEach(e -> values.put(e.getKey(), e.getValue()));
    return values;
  }
}
