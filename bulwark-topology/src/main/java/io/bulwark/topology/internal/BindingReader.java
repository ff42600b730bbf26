package io.bulwark.topology.internal;

import io.bulwark.kernel.Durations;
import io.bulwark.topology.TopologyError;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Owns the binders' lenient reading of a shape-checked tree: a value the shape check rejected reads
 * as the default, so binding goes on and every error is reported in one pass. Also owns what the
 * binders report: errors with the line of their path, and the path each named element came from.
 */
final class BindingReader {

  static final long MAX_COUNT = 100_000;

  private final String file;
  private final List<TopologyError> errors;
  private final Locator locator;
  private final Map<String, String> origins = new HashMap<>();

  BindingReader(String file, List<TopologyError> errors, Locator locator) {
    this.file = file;
    this.errors = errors;
    this.locator = locator;
  }

  /** File path of each named element so far, keyed {@code "service:web"}. */
  Map<String, String> origins() {
    return origins;
  }

  /**
   * Whether {@code name} is the first of its kind ({@code what}) in {@code seen}; reports a
   * duplicate with the line of the first, and records the origin of the first.
   */
  boolean unique(Map<String, String> seen, String name, String path, String what) {
    String first = seen.putIfAbsent(name, path);
    if (first != null) {
      error(
          path + ".name",
          "duplicate "
              + what
              + " name, first given on line "
              + locator.line(first + ".name")
              + ", got \""
              + name
              + "\"");
      return false;
    }
    origins.put(what + ":" + name, path);
    return true;
  }

  /**
   * Builds a value; a rule the record enforces is reported at {@code path}, and the fallback used.
   */
  <T> T attempt(String path, Supplier<T> build, Supplier<T> fallback) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      error(path, e.getMessage());
      return fallback.get();
    }
  }

  /** Reports {@code message} at {@code path}, with its line. */
  void error(String path, String message) {
    errors.add(new TopologyError(file, locator.line(path), path, message));
  }

  static YamlNode.MapNode map(YamlNode n) {
    return n instanceof YamlNode.MapNode m ? m : null;
  }

  static YamlNode get(YamlNode.MapNode m, String key) {
    if (m == null) {
      return null;
    }
    YamlNode.Entry e = m.entries().get(key);
    return e == null ? null : e.value();
  }

  static List<YamlNode> items(YamlNode n) {
    return n instanceof YamlNode.ListNode l ? l.items() : List.of();
  }

  static List<String> names(YamlNode n) {
    return items(n).stream()
        .filter(i -> i instanceof YamlNode.Scalar s && s.kind() != YamlNode.Scalar.Kind.NULL)
        .map(i -> ((YamlNode.Scalar) i).text())
        .filter(t -> t.matches(TopologySchema.NAME_PATTERN))
        .toList();
  }

  static String text(YamlNode n, String fallback) {
    return n instanceof YamlNode.Scalar s && s.kind() != YamlNode.Scalar.Kind.NULL
        ? s.text()
        : fallback;
  }

  static long integer(YamlNode n, long fallback, long min, long max) {
    if (n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.INTEGER) {
      try {
        long v = Long.parseLong(s.text());
        return v < min || v > max ? fallback : v;
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }

  static boolean bool(YamlNode n, boolean fallback) {
    return n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.BOOLEAN
        ? Boolean.parseBoolean(s.text().toLowerCase(Locale.ROOT))
        : fallback;
  }

  static Duration dur(YamlNode n, Duration fallback) {
    return n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.STRING
        ? Durations.parse(s.text()).orElse(fallback)
        : fallback;
  }

  static OptionalDouble pct(YamlNode n) {
    BigDecimal v = ShapeChecker.number(n);
    if (v == null || v.signum() <= 0 || v.compareTo(BigDecimal.valueOf(100)) > 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(v.doubleValue());
  }

  /** {@code 20/s}, {@code 600/m}, {@code 3600/h} as requests per second; 1 when unreadable. */
  static double rate(String text) {
    int slash = text.indexOf('/');
    try {
      double n = Double.parseDouble(text.substring(0, slash));
      double per =
          switch (text.substring(slash + 1)) {
            case "m" -> 60;
            case "h" -> 3600;
            default -> 1;
          };
      return n > 0 ? n / per : 1;
    } catch (RuntimeException e) {
      return 1;
    }
  }

  /** {@code 512KB}, {@code 64MB}, {@code 1GB} (1024-based) in bytes; the fallback when absent. */
  static long size(YamlNode n, long fallback) {
    String text = text(n, null);
    if (text == null || !text.matches("^[1-9][0-9]{0,6}(KB|MB|GB)$")) {
      return fallback;
    }
    long number = Long.parseLong(text.substring(0, text.length() - 2));
    return switch (text.substring(text.length() - 2)) {
      case "KB" -> number << 10;
      case "MB" -> number << 20;
      default -> number << 30;
    };
  }
}
