package io.bulwark.topology.internal;

import io.bulwark.kernel.Durations;
import io.bulwark.topology.TopologyError;
import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Checks a {@link YamlNode} tree against a {@link Shape}, collecting every mismatch. */
final class ShapeChecker {

  private final String file;
  private final List<TopologyError> errors;

  private ShapeChecker(String file, List<TopologyError> errors) {
    this.file = file;
    this.errors = errors;
  }

  /** Adds one error to {@code errors} for each place where {@code node} does not fit. */
  static void check(String file, YamlNode node, Shape shape, List<TopologyError> errors) {
    new ShapeChecker(file, errors).check(node, shape, "");
  }

  private void check(YamlNode node, Shape shape, String path) {
    switch (shape) {
      case Shape.Obj obj -> checkObj(node, obj, path);
      case Shape.Arr arr -> {
        if (!(node instanceof YamlNode.ListNode list)) {
          fail(node, path, "expected a list");
          return;
        }
        if (list.items().size() < arr.minItems()) {
          error(
              node.line(),
              path,
              "expected at least " + arr.minItems() + " item(s), got " + list.items().size());
        }
        for (int i = 0; i < list.items().size(); i++) {
          check(list.items().get(i), arr.item(), path + "[" + i + "]");
        }
      }
      case Shape.Dict dict -> {
        if (!(node instanceof YamlNode.MapNode map)) {
          fail(node, path, "expected a mapping");
          return;
        }
        for (YamlNode.Entry e : map.entries().values()) {
          check(e.value(), dict.value(), join(path, e.key()));
        }
      }
      case Shape.Text text -> {
        if (!(node instanceof YamlNode.Scalar s)
            || s.kind() == YamlNode.Scalar.Kind.NULL
            || (text.pattern() != null && !Pattern.matches(text.pattern(), s.text()))) {
          fail(node, path, "expected " + text.expected());
        }
      }
      case Shape.Choice choice -> {
        if (!(node instanceof YamlNode.Scalar s) || !choice.values().contains(s.text())) {
          fail(node, path, "expected one of " + String.join(", ", choice.values()));
        }
      }
      case Shape.Int range -> checkInt(node, range, path);
      case Shape.Percent p -> {
        BigDecimal v = number(node);
        if (v == null
            || v.compareTo(BigDecimal.ZERO) <= 0
            || v.compareTo(BigDecimal.valueOf(100)) > 0) {
          fail(node, path, "expected a percentage greater than 0 and at most 100");
        }
      }
      case Shape.Bool b -> {
        if (!(node instanceof YamlNode.Scalar s) || s.kind() != YamlNode.Scalar.Kind.BOOLEAN) {
          fail(node, path, "expected true or false");
        }
      }
      case Shape.Dur d -> {
        if (!(node instanceof YamlNode.Scalar s)
            || s.kind() != YamlNode.Scalar.Kind.STRING
            || Durations.parse(s.text()).isEmpty()) {
          fail(node, path, "expected a duration like 30s, 5m, 1h or 7d");
        }
      }
    }
  }

  private void checkObj(YamlNode node, Shape.Obj obj, String path) {
    if (!(node instanceof YamlNode.MapNode map)) {
      fail(node, path, "expected a mapping");
      return;
    }
    for (YamlNode.Entry e : map.entries().values()) {
      var field = obj.field(e.key());
      if (field.isEmpty()) {
        error(
            e.keyLine(),
            join(path, e.key()),
            "unknown key, expected one of "
                + obj.fields().stream().map(Shape.Field::name).collect(Collectors.joining(", ")));
      } else {
        check(e.value(), field.get().shape(), join(path, e.key()));
      }
    }
    for (Shape.Field f : obj.fields()) {
      if (f.required() && !map.entries().containsKey(f.name())) {
        error(map.line(), join(path, f.name()), "required, got nothing");
      }
    }
  }

  private void checkInt(YamlNode node, Shape.Int range, String path) {
    if (!(node instanceof YamlNode.Scalar s) || s.kind() != YamlNode.Scalar.Kind.INTEGER) {
      fail(node, path, "expected a whole number");
      return;
    }
    long v;
    try {
      v = Long.parseLong(s.text());
    } catch (NumberFormatException e) {
      fail(node, path, "expected a whole number");
      return;
    }
    if (v < range.min()) {
      fail(node, path, "must be >= " + range.min());
    } else if (v > range.max()) {
      fail(node, path, "must be <= " + range.max());
    }
  }

  static BigDecimal number(YamlNode node) {
    if (node instanceof YamlNode.Scalar s
        && (s.kind() == YamlNode.Scalar.Kind.INTEGER || s.kind() == YamlNode.Scalar.Kind.FLOAT)) {
      try {
        return new BigDecimal(s.text());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private void fail(YamlNode node, String path, String expected) {
    error(node.line(), path, expected + ", got " + node.describe());
  }

  private void error(int line, String path, String message) {
    errors.add(new TopologyError(file, line, path, message));
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
