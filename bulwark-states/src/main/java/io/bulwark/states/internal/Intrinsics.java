package io.bulwark.states.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/** The States.* intrinsic functions of JSONPath mode. */
final class Intrinsics {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Intrinsics() {}

  static JsonNode call(String expr, Function<String, JsonNode> paths) {
    Parser p = new Parser(expr.trim(), paths);
    JsonNode v = p.value();
    if (p.pos != p.s.length()) {
      throw fail("unexpected text at " + p.pos + " in " + expr);
    }
    return literalBraces(v);
  }

  /** Escaped braces in literals stand for themselves; States.Format keeps them as text. */
  private static final char OPEN = '\uE000';

  private static final char CLOSE = '\uE001';

  private static JsonNode literalBraces(JsonNode v) {
    if (v.isTextual()) {
      String t = v.asText();
      return t.indexOf(OPEN) < 0 && t.indexOf(CLOSE) < 0
          ? v
          : F.textNode(t.replace(OPEN, '{').replace(CLOSE, '}'));
    }
    if (v.isArray()) {
      ArrayNode out = F.arrayNode();
      v.forEach(n -> out.add(literalBraces(n)));
      return out;
    }
    if (v.isObject()) {
      ObjectNode out = F.objectNode();
      v.properties().forEach(e -> out.set(e.getKey(), literalBraces(e.getValue())));
      return out;
    }
    return v;
  }

  private static StatesError fail(String msg) {
    return fail(msg, null);
  }

  private static StatesError fail(String msg, Throwable failure) {
    return new StatesError("States.IntrinsicFailure", msg, failure);
  }

  private static final class Parser {
    final String s;
    final Function<String, JsonNode> paths;
    int pos;

    Parser(String s, Function<String, JsonNode> paths) {
      this.s = s;
      this.paths = paths;
    }

    void ws() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    JsonNode value() {
      ws();
      if (pos >= s.length()) {
        throw fail("missing argument in " + s);
      }
      char c = s.charAt(pos);
      if (c == '\'') {
        StringBuilder b = new StringBuilder();
        pos++;
        while (pos < s.length() && s.charAt(pos) != '\'') {
          if (s.charAt(pos) == '\\' && pos + 1 < s.length()) {
            pos++;
            char escaped = s.charAt(pos++);
            b.append(escaped == '{' ? OPEN : escaped == '}' ? CLOSE : escaped);
            continue;
          }
          b.append(s.charAt(pos++));
        }
        pos++;
        return F.textNode(b.toString());
      }
      int start = pos;
      if (s.startsWith("States.", pos)) {
        int open = s.indexOf('(', pos);
        String name = s.substring(start, open);
        pos = open + 1;
        List<JsonNode> args = new ArrayList<>();
        ws();
        if (s.charAt(pos) == ')') {
          pos++;
        } else {
          while (true) {
            args.add(value());
            ws();
            char d = s.charAt(pos++);
            if (d == ')') {
              break;
            }
            if (d != ',') {
              throw fail("expected , or ) in " + s);
            }
          }
        }
        try {
          return apply(name, args);
        } catch (StatesError e) {
          throw e;
        } catch (RuntimeException e) {
          throw fail("Invalid arguments in " + name + ": " + args, e);
        }
      }
      int depth = 0;
      while (pos < s.length()) {
        char d = s.charAt(pos);
        if (d == '[' || d == '(') {
          depth++;
        } else if (d == ']' || d == ')') {
          if (depth == 0) {
            break;
          }
          depth--;
        } else if (d == ',' && depth == 0) {
          break;
        }
        pos++;
      }
      String token = s.substring(start, pos).trim();
      if (token.startsWith("$")) {
        return paths.apply(token);
      }
      try {
        return Interpreter.mapper().readTree(token);
      } catch (JsonProcessingException e) {
        throw fail("invalid argument " + token, e);
      }
    }
  }

  /** The intrinsic functions Step Functions has. */
  static final java.util.Set<String> NAMES =
      java.util.Set.of(
          "States.Format",
          "States.StringToJson",
          "States.JsonToString",
          "States.Array",
          "States.ArrayPartition",
          "States.ArrayContains",
          "States.ArrayRange",
          "States.ArrayGetItem",
          "States.ArrayLength",
          "States.ArrayUnique",
          "States.Base64Encode",
          "States.Base64Decode",
          "States.Hash",
          "States.JsonMerge",
          "States.MathRandom",
          "States.MathAdd",
          "States.StringSplit",
          "States.UUID");

  /** The names of the functions an intrinsic expression calls, in order. */
  static List<String> functionNames(String expr) {
    List<String> names = new ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(States\\.[A-Za-z0-9]+)\\s*\\(").matcher(expr);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  static JsonNode apply(String name, List<JsonNode> a) {
    switch (name) {
      case "States.Format" -> {
        String t = a.get(0).asText();
        StringBuilder b = new StringBuilder();
        int arg = 1;
        for (int i = 0; i < t.length(); i++) {
          char c = t.charAt(i);
          if (c == '{' && i + 1 < t.length() && t.charAt(i + 1) == '}') {
            if (arg >= a.size()) {
              throw fail("Number of arguments do not match the occurrences of {}");
            }
            b.append(formatted(a.get(arg++)));
            i++;
          } else {
            b.append(c);
          }
        }
        if (arg != a.size()) {
          throw fail("Number of arguments do not match the occurrences of {}");
        }
        return F.textNode(b.toString());
      }
      case "States.StringToJson" -> {
        try {
          if (a.get(0).asText().isBlank()) {
            return F.nullNode();
          }
          return Interpreter.mapper().readTree(a.get(0).asText());
        } catch (JsonProcessingException e) {
          throw fail("invalid JSON string: " + a.get(0).asText(), e);
        }
      }
      case "States.JsonToString" -> {
        return F.textNode(a.get(0).toString());
      }
      case "States.Array" -> {
        ArrayNode arr = F.arrayNode();
        a.forEach(arr::add);
        return arr;
      }
      case "States.ArrayPartition" -> {
        ArrayNode out = F.arrayNode();
        int size = a.get(1).asInt();
        if (size <= 0) {
          throw fail("chunk size must be greater than 0");
        }
        ArrayNode chunk = null;
        for (JsonNode n : a.get(0)) {
          if (chunk == null || chunk.size() == size) {
            chunk = out.addArray();
          }
          chunk.add(n);
        }
        return out;
      }
      case "States.ArrayContains" -> {
        for (JsonNode n : a.get(0)) {
          if (n.equals(a.get(1))) {
            return F.booleanNode(true);
          }
        }
        return F.booleanNode(false);
      }
      case "States.ArrayRange" -> {
        ArrayNode out = F.arrayNode();
        int start = a.get(0).asInt();
        int end = a.get(1).asInt();
        int step = a.get(2).asInt();
        if (step == 0) {
          throw fail("step must not be 0");
        }
        for (int i = start; step > 0 ? i <= end : i >= end; i += step) {
          out.add(i);
        }
        if (out.size() > 1000) {
          throw fail("ArrayRange produces more than 1000 items");
        }
        return out;
      }
      case "States.ArrayGetItem" -> {
        JsonNode v = a.get(0).get(a.get(1).asInt());
        if (v == null) {
          throw fail("index out of bounds");
        }
        return v;
      }
      case "States.ArrayLength" -> {
        return F.numberNode(a.get(0).size());
      }
      case "States.ArrayUnique" -> {
        ArrayNode out = F.arrayNode();
        new LinkedHashSet<JsonNode>(toList(a.get(0))).forEach(out::add);
        return out;
      }
      case "States.Base64Encode" -> {
        return F.textNode(
            Base64.getEncoder().encodeToString(a.get(0).asText().getBytes(StandardCharsets.UTF_8)));
      }
      case "States.Base64Decode" -> {
        try {
          return F.textNode(
              new String(Base64.getDecoder().decode(a.get(0).asText()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw fail("invalid base64: " + a.get(0).asText(), e);
        }
      }
      case "States.Hash" -> {
        String alg = a.get(1).asText();
        Map<String, String> java =
            Map.of(
                "MD5", "MD5", "SHA-1", "SHA-1", "SHA-256", "SHA-256", "SHA-384", "SHA-384",
                "SHA-512", "SHA-512");
        if (!java.containsKey(alg)) {
          throw fail("unsupported hash algorithm " + alg);
        }
        try {
          byte[] d =
              MessageDigest.getInstance(java.get(alg))
                  .digest(a.get(0).asText().getBytes(StandardCharsets.UTF_8));
          return F.textNode(HexFormat.of().formatHex(d));
        } catch (NoSuchAlgorithmException e) {
          throw fail(e.getMessage(), e);
        }
      }
      case "States.JsonMerge" -> {
        if (a.size() > 2 && a.get(2).asBoolean()) {
          throw fail("deep merge is not supported");
        }
        ObjectNode out = ((ObjectNode) a.get(0)).deepCopy();
        out.setAll((ObjectNode) a.get(1));
        return out;
      }
      case "States.MathRandom" -> {
        int start = a.get(0).asInt();
        int end = a.get(1).asInt();
        if (start >= end) {
          throw fail("States.MathRandom needs a start lower than its end");
        }
        return F.numberNode(
            a.size() > 2
                ? new java.util.Random(a.get(2).asLong()).nextInt(start, end)
                : ThreadLocalRandom.current().nextInt(start, end));
      }
      case "States.MathAdd" -> {
        long sum = Math.round(a.get(0).asDouble()) + Math.round(a.get(1).asDouble());
        return sum == (int) sum ? F.numberNode((int) sum) : F.numberNode(sum);
      }
      case "States.StringSplit" -> {
        ArrayNode out = F.arrayNode();
        String text = a.get(0).asText();
        String delims = a.get(1).asText();
        StringBuilder cur = new StringBuilder();
        for (char c : text.toCharArray()) {
          if (delims.indexOf(c) >= 0) {
            if (!cur.isEmpty()) {
              out.add(cur.toString());
            }
            cur.setLength(0);
          } else {
            cur.append(c);
          }
        }
        if (!cur.isEmpty()) {
          out.add(cur.toString());
        }
        return out;
      }
      case "States.UUID" -> {
        return F.textNode(UUID.randomUUID().toString());
      }
      default -> throw fail("unknown intrinsic function " + name);
    }
  }

  /** States.Format renders objects and arrays the way Java collections print, as AWS does. */
  private static String formatted(JsonNode v) {
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isObject()) {
      List<String> parts = new ArrayList<>();
      v.properties().forEach(e -> parts.add(e.getKey() + "=" + formatted(e.getValue())));
      return "{" + String.join(", ", parts) + "}";
    }
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(n -> parts.add(formatted(n)));
      return "[" + String.join(", ", parts) + "]";
    }
    return v.toString();
  }

  private static List<JsonNode> toList(JsonNode arr) {
    List<JsonNode> l = new ArrayList<>();
    arr.forEach(l::add);
    return l;
  }
}
