package io.bulwark.fleet;

import java.util.OptionalDouble;

/**
 * Reads one metric's value from the Prometheus text exposition format (version 0.0.4): lines {@code
 * name value [timestamp]} or {@code name{label="value",...} value [timestamp]}, comments starting
 * with {@code #}. Label values may hold escaped quotes, backslashes and newlines, and any character
 * (a {@code }} or a space included) inside the quotes. A line that does not parse is skipped, as a
 * scraper skips what it cannot read, so one bad line does not hide the others.
 */
final class PrometheusText {

  private PrometheusText() {}

  /**
   * The sum of {@code name}'s series in {@code text} (one series without labels is just its value),
   * or empty when no line for it parses. Series of one name with different labels split the metric
   * between them, so their sum is the whole.
   */
  static OptionalDouble sum(String text, String name) {
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      OptionalDouble v = value(line.strip(), name);
      if (v.isPresent()) {
        sum += v.getAsDouble();
        found = true;
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }

  /** The value of {@code line} when it is a sample of {@code name}, else empty. */
  private static OptionalDouble value(String line, String name) {
    if (line.isEmpty() || line.startsWith("#") || !line.startsWith(name)) {
      return OptionalDouble.empty();
    }
    int i = name.length();
    if (i < line.length() && line.charAt(i) == '{') {
      i = endOfLabels(line, i + 1);
      if (i < 0) {
        return OptionalDouble.empty();
      }
    } else if (i >= line.length() || !isBlank(line.charAt(i))) {
      return OptionalDouble.empty(); // another metric whose name starts with this one, or no value
    }
    String[] rest = line.substring(i).strip().split("[ \t]+");
    if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
      return OptionalDouble.empty();
    }
    if (rest.length == 2 && !rest[1].matches("-?[0-9]+")) {
      return OptionalDouble.empty(); // a timestamp is an integer in milliseconds
    }
    return number(rest[0]);
  }

  /** The index just past the {@code }} closing the labels opened before {@code from}, or -1. */
  private static int endOfLabels(String line, int from) {
    boolean quoted = false;
    for (int i = from; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '}') {
        return i + 1;
      }
    }
    return -1;
  }

  private static OptionalDouble number(String token) {
    switch (token) {
      case "+Inf", "Inf" -> {
        return OptionalDouble.of(Double.POSITIVE_INFINITY);
      }
      case "-Inf" -> {
        return OptionalDouble.of(Double.NEGATIVE_INFINITY);
      }
      case "NaN" -> {
        return OptionalDouble.of(Double.NaN);
      }
      default -> {
        // Double.parseDouble also takes "Infinity", hex floats and a trailing 'd': not Prometheus
        if (!token.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
          return OptionalDouble.empty();
        }
        return OptionalDouble.of(Double.parseDouble(token));
      }
    }
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }
}
