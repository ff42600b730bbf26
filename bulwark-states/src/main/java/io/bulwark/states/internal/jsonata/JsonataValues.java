package io.bulwark.states.internal.jsonata;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one adapter between Jackson trees and the plain {@code Map}/{@code List}/scalar values that
 * the JSONata library works on. JSON {@code null} is Java {@code null} inside containers.
 */
public final class JsonataValues {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private JsonataValues() {}

  /** Converts a Jackson tree to JSONata's value model. */
  public static Object toJava(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.properties().forEach(e -> map.put(e.getKey(), toJava(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(n -> list.add(toJava(n)));
      return list;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToInt()
          ? (Object) node.intValue()
          : node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    return node.asText();
  }

  /**
   * Converts a JSONata result back to a Jackson tree; empty when the value is not representable in
   * JSON (a function).
   */
  public static Optional<JsonNode> toJson(Object value) {
    if (value == null || value == Jsonata.NULL_VALUE) {
      return Optional.of(F.nullNode());
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode out = F.objectNode();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        Optional<JsonNode> v = toJson(e.getValue());
        if (v.isEmpty()) {
          return Optional.empty();
        }
        out.set(String.valueOf(e.getKey()), v.get());
      }
      return Optional.of(out);
    }
    if (value instanceof List<?> list) {
      ArrayNode out = F.arrayNode();
      for (Object o : list) {
        Optional<JsonNode> v = toJson(o);
        if (v.isEmpty()) {
          return Optional.empty();
        }
        out.add(v.get());
      }
      return Optional.of(out);
    }
    if (value instanceof String s) {
      return Optional.of(F.textNode(s));
    }
    if (value instanceof Boolean b) {
      return Optional.of(F.booleanNode(b));
    }
    if (value instanceof Number n) {
      return Optional.of(number(n));
    }
    return Optional.empty();
  }

  /** JSONata numbers are doubles: integral values print without a fraction, like JavaScript. */
  static JsonNode number(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return integral(n.longValue());
    }
    if (n instanceof BigInteger b) {
      return F.numberNode(b);
    }
    double d = n instanceof BigDecimal bd ? bd.doubleValue() : n.doubleValue();
    if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) <= 9.007199254740992E15) {
      return integral((long) d);
    }
    return F.numberNode(d);
  }

  private static JsonNode integral(long v) {
    return v == (int) v ? F.numberNode((int) v) : F.numberNode(v);
  }

  /** The JSONata type name of a converted value, as used in Step Functions error causes. */
  static String typeName(JsonNode node) {
    if (node.isNull()) {
      return "null";
    }
    if (node.isObject()) {
      return "object";
    }
    if (node.isArray()) {
      return "array";
    }
    if (node.isTextual()) {
      return "string";
    }
    if (node.isBoolean()) {
      return "boolean";
    }
    return "number";
  }
}
