package io.bulwark.states.internal;

import static io.bulwark.states.internal.JsonPathFields.readPath;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.states.StatesError;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Iterator;

/** The JSONPath Choice rules: And, Or, Not and the comparison operators of a Choice state. */
final class ChoiceRules {
  private ChoiceRules() {}

  /** Whether Choice rule {@code rule} matches the state's effective input {@code in}. */
  static boolean matches(JsonNode rule, JsonNode in, StateEnv env) {
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

  private static boolean globMatches(String pattern, String text) {
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
}
