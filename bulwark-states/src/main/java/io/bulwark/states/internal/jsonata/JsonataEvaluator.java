package io.bulwark.states.internal.jsonata;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.dashjoin.jsonata.Jsonata.Frame;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import io.bulwark.states.internal.Causes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates the fields of JSONata states: any string {@code "{% expr %}"} in a field's value is a
 * JSONata expression, every other value is taken literally. Failures are {@code
 * States.QueryEvaluationError} with the cause texts Step Functions uses.
 */
public final class JsonataEvaluator {
  /** The error name of every evaluation failure. */
  public static final String QUERY_EVALUATION_ERROR = "States.QueryEvaluationError";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Map<String, Jsonata> COMPILED = new ConcurrentHashMap<>();
  private static final int MAX_COMPILED = 10_000;

  /** Bounds that stop a runaway expression (deep recursion, endless loops) with an error. */
  private static final long MAX_MILLIS = 10_000;

  private static final int MAX_DEPTH = 1_000;

  private JsonataEvaluator() {}

  /**
   * What an expression can see: {@code $states} and the workflow variables in scope.
   *
   * @param stateName the state evaluating, for error causes
   * @param enteredEventId the history event id the state was entered at (0 when unknown)
   * @param input {@code $states.input}
   * @param result {@code $states.result}, or null where the field has no result
   * @param errorOutput {@code $states.errorOutput}, or null outside Catch
   * @param context {@code $states.context}
   * @param variables the workflow variables visible to the state
   */
  public record Scope(
      String stateName,
      long enteredEventId,
      JsonNode input,
      JsonNode result,
      JsonNode errorOutput,
      JsonNode context,
      Map<String, JsonNode> variables) {
    /** A scope with {@code $states.result} set. */
    public Scope withResult(JsonNode value) {
      return new Scope(stateName, enteredEventId, input, value, errorOutput, context, variables);
    }

    /** A scope with {@code $states.errorOutput} set. */
    public Scope withErrorOutput(JsonNode value) {
      return new Scope(stateName, enteredEventId, input, result, value, context, variables);
    }
  }

  /** True for a string of the form {@code {% expression %}}. */
  public static boolean isExpression(JsonNode value) {
    return value != null && value.isTextual() && isExpression(value.asText());
  }

  /** True for a string of the form {@code {% expression %}}. */
  public static boolean isExpression(String text) {
    return text.length() >= 4 && text.startsWith("{%") && text.endsWith("%}");
  }

  /** The expression inside {@code {% … %}}, trimmed. */
  public static String expressionText(String text) {
    return text.substring(2, text.length() - 2).trim();
  }

  /** Checks that an expression parses; returns the parser's message when it does not. */
  public static Optional<String> syntaxError(String text) {
    try {
      compile(expressionText(text));
      return Optional.empty();
    } catch (JException e) {
      return Optional.of(e.getError() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  /**
   * Evaluates a field value: expressions anywhere inside objects and arrays are replaced by their
   * results.
   *
   * @param field the field name for error causes, like {@code Arguments} or {@code Output}
   */
  public static JsonNode evaluate(JsonNode value, String field, Scope scope) {
    if (isExpression(value)) {
      return expression(value.asText(), field, scope);
    }
    if (value.isObject()) {
      ObjectNode out = F.objectNode();
      for (Map.Entry<String, JsonNode> e : value.properties()) {
        out.set(e.getKey(), evaluate(e.getValue(), field + "/" + e.getKey(), scope));
      }
      return out;
    }
    if (value.isArray()) {
      ArrayNode out = F.arrayNode();
      int i = 0;
      for (JsonNode n : value) {
        out.add(evaluate(n, field + "[" + i++ + "]", scope));
      }
      return out;
    }
    return value;
  }

  /** Evaluates a field that must give a boolean (Choice {@code Condition}). */
  public static boolean condition(JsonNode value, String field, Scope scope) {
    return typed(value, field, scope, "boolean", JsonNode::isBoolean).asBoolean();
  }

  /** Evaluates a field that must give an array (Map {@code Items}). */
  public static ArrayNode array(JsonNode value, String field, Scope scope) {
    return (ArrayNode) typed(value, field, scope, "array", JsonNode::isArray);
  }

  /** Evaluates a field that must give an integer (Wait {@code Seconds}, timeouts, counts). */
  public static long integer(JsonNode value, String field, Scope scope) {
    return typed(
            value,
            field,
            scope,
            "integer",
            v -> v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))
        .asLong();
  }

  /** Evaluates a field that must give a number (tolerated failure percentage). */
  public static double number(JsonNode value, String field, Scope scope) {
    return typed(value, field, scope, "number", JsonNode::isNumber).asDouble();
  }

  /** Evaluates a field that must give a string (Fail {@code Error}/{@code Cause}, timestamps). */
  public static String string(JsonNode value, String field, Scope scope) {
    return typed(value, field, scope, "string", JsonNode::isTextual).asText();
  }

  private static JsonNode typed(
      JsonNode value,
      String field,
      Scope scope,
      String expected,
      java.util.function.Predicate<JsonNode> accepts) {
    JsonNode v = evaluate(value, field, scope);
    if (!accepts.test(v)) {
      throw unexpectedType(value, field, expected, v, scope);
    }
    return v;
  }

  private static StatesError unexpectedType(
      JsonNode source, String field, String expected, JsonNode actual, Scope scope) {
    String detail =
        (isExpression(source)
                ? "The JSONata expression '"
                    + expressionText(source.asText())
                    + "' specified for the field '"
                    + field
                    + "'"
                : "The value specified for the field '" + field + "'")
            + " returned an unexpected result type. Expected '"
            + expected
            + "', but was '"
            + JsonataValues.typeName(actual)
            + "' for value: "
            + actual;
    return fail(scope, detail);
  }

  /**
   * The values of an {@code Assign} block (null for none), each expression evaluated in {@code
   * scope}, in the block's order; the caller assigns them all at once.
   */
  public static Map<String, JsonNode> assign(JsonNode assign, Scope scope) {
    Map<String, JsonNode> values = new LinkedHashMap<>();
    if (assign == null) {
      return values;
    }
    for (Map.Entry<String, JsonNode> e : assign.properties()) {
      values.put(e.getKey(), evaluate(e.getValue(), "Assign/" + e.getKey(), scope));
    }
    return values;
  }

  private static StatesError fail(Scope scope, String detail) {
    return fail(scope, detail, null);
  }

  private static StatesError fail(Scope scope, String detail, Throwable failure) {
    return new StatesError(
        QUERY_EVALUATION_ERROR,
        Causes.inState(scope.stateName(), scope.enteredEventId(), detail),
        failure);
  }

  private static Jsonata compile(String expression) {
    Jsonata compiled = COMPILED.get(expression);
    if (compiled == null) {
      compiled = Jsonata.jsonata(expression);
      if (COMPILED.size() < MAX_COMPILED) {
        COMPILED.put(expression, compiled);
      }
    }
    return compiled;
  }

  private static JsonNode expression(String text, String field, Scope scope) {
    String expr = expressionText(text);
    String subject =
        "The JSONata expression '" + expr + "' specified for the field '" + field + "'";
    Object value;
    try {
      Jsonata compiled = compile(expr);
      Frame frame = compiled.createFrame();
      frame.setRuntimeBounds(MAX_MILLIS, MAX_DEPTH);
      StepFunctionsFunctions.bind(frame);
      scope.variables().forEach((name, v) -> frame.bind(name, JsonataValues.toJava(v)));
      frame.bind("states", states(scope));
      value = compiled.evaluate(null, frame);
      if (value == null && !defined(expr, scope)) {
        throw fail(scope, subject + " returned nothing (undefined).");
      }
    } catch (JException e) {
      throw fail(
          scope,
          subject + " threw an error during evaluation. " + e.getError() + ": " + e.getMessage(),
          e);
    } catch (StepFunctionsFunctions.FunctionFailure e) {
      throw fail(scope, subject + " threw an error during evaluation. " + e.getMessage(), e);
    } catch (StatesError e) {
      throw e;
    } catch (RuntimeException e) {
      throw fail(scope, subject + " threw an error during evaluation. " + e.getMessage(), e);
    }
    return JsonataValues.toJson(value)
        .orElseThrow(() -> fail(scope, subject + " returned an unsupported result type."));
  }

  /** The library gives Java null for both JSON null and undefined: $exists tells them apart. */
  private static boolean defined(String expr, Scope scope) {
    Jsonata probe = compile("$exists((" + expr + "\n))");
    Frame frame = probe.createFrame();
    frame.setRuntimeBounds(MAX_MILLIS, MAX_DEPTH);
    StepFunctionsFunctions.bind(frame);
    scope.variables().forEach((name, v) -> frame.bind(name, JsonataValues.toJava(v)));
    frame.bind("states", states(scope));
    return Boolean.TRUE.equals(probe.evaluate(null, frame));
  }

  private static Map<String, Object> states(Scope scope) {
    Map<String, Object> states = new LinkedHashMap<>();
    states.put("input", JsonataValues.toJava(scope.input()));
    if (scope.result() != null) {
      states.put("result", JsonataValues.toJava(scope.result()));
    }
    if (scope.errorOutput() != null) {
      states.put("errorOutput", JsonataValues.toJava(scope.errorOutput()));
    }
    states.put("context", JsonataValues.toJava(scope.context()));
    return states;
  }
}
