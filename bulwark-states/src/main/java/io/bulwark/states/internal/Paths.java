package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import io.bulwark.states.StatesError;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/** JSONPath reads (Jayway) and ResultPath writes (own, for definite reference paths). */
public final class Paths {
  private static final Configuration CONFIG =
      Configuration.builder()
          .jsonProvider(new JacksonJsonNodeJsonProvider())
          .mappingProvider(new JacksonMappingProvider())
          .options(EnumSet.noneOf(Option.class))
          .build();

  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private Paths() {}

  private static final java.util.regex.Pattern VARIABLE =
      java.util.regex.Pattern.compile(
          "\\$([A-Za-z_][A-Za-z0-9_]*)([.\\[].*)?", java.util.regex.Pattern.DOTALL);

  /** The variable a path like {@code $name.field} reads, or null for {@code $}/{@code $$} paths. */
  public static String variableName(String path) {
    if (path == null) {
      return null;
    }
    java.util.regex.Matcher m = VARIABLE.matcher(path);
    return m.matches() ? m.group(1) : null;
  }

  /** Reads a variable path ({@code $name}, {@code $name.a[0]}); null when nothing matches. */
  public static JsonNode readVariable(java.util.Map<String, JsonNode> variables, String path) {
    java.util.regex.Matcher m = VARIABLE.matcher(path);
    if (!m.matches() || !variables.containsKey(m.group(1))) {
      return null;
    }
    JsonNode value = variables.get(m.group(1));
    return m.group(2) == null ? value : read(value, "$" + m.group(2));
  }

  /**
   * Why {@code path} matches nothing in {@code data}, in the words of the JSONPath implementation
   * Step Functions uses, like {@code No results for path: $['a']}.
   */
  public static String notFoundDetail(JsonNode data, String path) {
    try {
      JsonPath.using(CONFIG).parse(data.deepCopy()).read(path);
      return "No results for path: " + path;
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }

  /** True when the text parses as a JSONPath starting with $, or is a variable path. */
  public static boolean isValid(String path) {
    if (path == null || !path.startsWith("$")) {
      return false;
    }
    String variable = variableName(path);
    if (variable != null) {
      java.util.regex.Matcher m = VARIABLE.matcher(path);
      return !m.matches() || m.group(2) == null || isValid("$" + m.group(2));
    }
    try {
      JsonPath.compile(path.startsWith("$$") ? path.substring(1) : path);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** True for a reference path: only names and indices, no wildcards or filters. */
  public static boolean isReferencePath(String path) {
    try {
      segments(path);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Reads {@code path} from {@code data}; {@code null} when nothing matches. */
  public static JsonNode read(JsonNode data, String path) {
    if ("$".equals(path)) {
      return data;
    }
    try {
      Object value = JsonPath.using(CONFIG).parse(data.deepCopy()).read(path);
      return value instanceof JsonNode node ? node : MAPPER.valueToTree(value);
    } catch (com.jayway.jsonpath.PathNotFoundException e) {
      return null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Reads a path or fails with States.Runtime like Step Functions does; the cause still lacks the
   * state prefix the interpreter adds.
   */
  public static JsonNode readRequired(JsonNode data, String path, String field) {
    JsonNode node = read(data, path);
    if (node == null) {
      throw new StatesError(
          "States.Runtime", "Invalid path '" + path + "' : " + notFoundDetail(data, path));
    }
    return node;
  }

  /** Places {@code value} into a copy of {@code input} at the reference path. */
  public static JsonNode write(JsonNode input, String path, JsonNode value) {
    List<Object> segs = segments(path);
    if (segs.isEmpty()) {
      return value;
    }
    if (input == null || !input.isContainerNode()) {
      throw new StatesError(
          "States.ResultPathMatchFailure",
          "Unable to apply ReferencePath " + path + " to input " + input);
    }
    JsonNode root = input.deepCopy();
    JsonNode current = root;
    for (int i = 0; i < segs.size(); i++) {
      Object seg = segs.get(i);
      boolean last = i == segs.size() - 1;
      if (seg instanceof String name) {
        if (!(current instanceof ObjectNode obj)) {
          throw new StatesError(
              "States.ResultPathMatchFailure",
              "Unable to apply ReferencePath " + path + " to input " + input);
        }
        if (last) {
          obj.set(name, value);
        } else {
          JsonNode next = obj.get(name);
          if (next == null || !next.isContainerNode()) {
            next = obj.putObject(name);
          }
          current = next;
        }
      } else {
        int index = (Integer) seg;
        if (!(current instanceof ArrayNode arr) || index >= arr.size()) {
          throw new StatesError(
              "States.ResultPathMatchFailure",
              "Unable to apply ReferencePath " + path + " to input " + input);
        }
        if (last) {
          arr.set(index, value);
        } else {
          current = arr.get(index);
        }
      }
    }
    return root;
  }

  static List<Object> segments(String path) {
    if (path == null || !path.startsWith("$") || path.startsWith("$$")) {
      throw new IllegalArgumentException("reference path must start with $: " + path);
    }
    List<Object> segs = new ArrayList<>();
    int i = 1;
    while (i < path.length()) {
      char c = path.charAt(i);
      if (c == '.') {
        int j = i + 1;
        while (j < path.length() && path.charAt(j) != '.' && path.charAt(j) != '[') {
          j++;
        }
        String name = path.substring(i + 1, j);
        if (name.isEmpty() || name.contains("*") || name.contains("@")) {
          throw new IllegalArgumentException("not a reference path: " + path);
        }
        segs.add(name);
        i = j;
      } else if (c == '[') {
        int end = path.indexOf(']', i);
        if (end < 0) {
          throw new IllegalArgumentException("unclosed [ in " + path);
        }
        String inner = path.substring(i + 1, end).trim();
        if (inner.startsWith("'") && inner.endsWith("'") && inner.length() >= 2) {
          segs.add(inner.substring(1, inner.length() - 1));
        } else if (inner.matches("\\d+")) {
          segs.add(Integer.parseInt(inner));
        } else {
          throw new IllegalArgumentException("not a reference path: " + path);
        }
        i = end + 1;
      } else {
        throw new IllegalArgumentException("not a reference path: " + path);
      }
    }
    return segs;
  }
}
