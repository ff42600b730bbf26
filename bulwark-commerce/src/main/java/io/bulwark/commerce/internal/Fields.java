package io.bulwark.commerce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.CommerceException;
import io.bulwark.http.JsonBody;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a JSON object strictly: only the listed fields, each of exactly the expected JSON type (no
 * coercion of {@code 5} to {@code "5"} or {@code "5"} to {@code 5}, no fractions as integers),
 * every error naming the field by JSON path.
 */
public final class Fields {

  private final JsonNode node;
  private final String path;

  private Fields(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  /** The request body of {@code ctx} as an object with only {@code allowed} fields. */
  public static Fields body(Context ctx, String... allowed) {
    return object(JsonBody.read(ctx, JsonNode.class), "$", allowed);
  }

  /** {@code node} (found at {@code path}) as an object with only {@code allowed} fields. */
  public static Fields object(JsonNode node, String path, String... allowed) {
    if (node == null || !node.isObject()) {
      throw new CommerceException.InvalidInput(
          path, "expected a JSON object but got " + describe(node));
    }
    Set<String> names = Set.of(allowed);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!names.contains(name)) {
        throw new CommerceException.InvalidInput(
            path + "." + name, "unknown field \"" + Requests.abbreviate(name) + "\"");
      }
    }
    return new Fields(node, path);
  }

  /** True when the field is present and not null. */
  public boolean has(String name) {
    JsonNode v = node.get(name);
    return v != null && !v.isNull();
  }

  /** A string field of at most {@code maxLength} characters; null when absent and optional. */
  public String string(String name, boolean required, int maxLength) {
    JsonNode v = value(name, required);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw new CommerceException.InvalidInput(
          path + "." + name, "expected a string but got " + describe(v));
    }
    if (v.textValue().length() > maxLength) {
      throw new CommerceException.InvalidInput(
          path + "." + name,
          name + " must be at most " + maxLength + " characters but was " + v.textValue().length());
    }
    return v.textValue();
  }

  /** An integer field within {@code min..max}; null when absent and optional. */
  public Long integer(String name, boolean required, long min, long max) {
    JsonNode v = value(name, required);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber()) {
      throw new CommerceException.InvalidInput(
          path + "." + name, "expected an integer but got " + describe(v));
    }
    if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
      throw new CommerceException.InvalidInput(
          path + "." + name,
          name + " must be in " + min + ".." + max + " but was " + Requests.abbreviate(v.asText()));
    }
    return v.longValue();
  }

  /** A nested object with only {@code allowed} fields; null when absent and optional. */
  public Fields object(String name, boolean required, String... allowed) {
    JsonNode v = value(name, required);
    return v == null ? null : object(v, path + "." + name, allowed);
  }

  /** An array of objects with only {@code allowed} fields, {@code min..max} long. */
  public List<Fields> objects(String name, boolean required, int min, int max, String... allowed) {
    JsonNode v = value(name, required);
    if (v == null) {
      return null;
    }
    String at = path + "." + name;
    if (!v.isArray()) {
      throw new CommerceException.InvalidInput(at, "expected an array but got " + describe(v));
    }
    if (v.size() < min || v.size() > max) {
      throw new CommerceException.InvalidInput(
          at, name + " must hold " + min + " to " + max + " entries but held " + v.size());
    }
    List<Fields> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      out.add(object(v.get(i), at + "[" + i + "]", allowed));
    }
    return out;
  }

  /**
   * An array of strings, {@code min..max} long, each at most {@code maxLength} characters; null
   * when absent and optional.
   */
  public List<String> strings(String name, boolean required, int min, int max, int maxLength) {
    JsonNode v = value(name, required);
    if (v == null) {
      return null;
    }
    String at = path + "." + name;
    if (!v.isArray()) {
      throw new CommerceException.InvalidInput(at, "expected an array but got " + describe(v));
    }
    if (v.size() < min || v.size() > max) {
      throw new CommerceException.InvalidInput(
          at, name + " must hold " + min + " to " + max + " entries but held " + v.size());
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      String element = at + "[" + i + "]";
      if (!e.isTextual()) {
        throw new CommerceException.InvalidInput(
            element, "expected a string but got " + describe(e));
      }
      if (e.textValue().length() > maxLength) {
        throw new CommerceException.InvalidInput(
            element,
            "entry must be at most " + maxLength + " characters but was " + e.textValue().length());
      }
      out.add(e.textValue());
    }
    return out;
  }

  /** The JSON path of this object. */
  public String path() {
    return path;
  }

  private JsonNode value(String name, boolean required) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      if (required) {
        throw new CommerceException.InvalidInput(path + "." + name, name + " is required");
      }
      return null;
    }
    return v;
  }

  private static String describe(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "null";
    }
    String type = v.getNodeType().name().toLowerCase(Locale.ROOT);
    if (v.isValueNode()) {
      return type + " " + Requests.abbreviate(v.toString());
    }
    return type == null ? "a value" : "an " + (type.equals("object") ? "object" : type);
  }
}
