package io.bulwark.topology.internal;

import java.util.List;
import java.util.Optional;

/**
 * The shape of a topology file value. One declaration ({@link TopologySchema}) drives both the
 * checks on load and the JSON Schema given to editors, so the two never disagree.
 */
sealed interface Shape {

  /** A mapping with known keys; any other key is an error. */
  record Obj(List<Field> fields) implements Shape {
    public Obj {
      fields = List.copyOf(fields);
    }

    Optional<Field> field(String name) {
      return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }
  }

  /** One key of an {@link Obj}. */
  record Field(String name, Shape shape, boolean required, String description) {}

  /** A list of items of one shape. */
  record Arr(Shape item, int minItems) implements Shape {}

  /** A mapping from free keys (names) to values of one shape. */
  record Dict(Shape value) implements Shape {}

  /** Text, optionally matching a regular expression; {@code expected} words the rule. */
  record Text(String pattern, String expected) implements Shape {}

  /** One of a fixed set of words. */
  record Choice(List<String> values) implements Shape {
    public Choice {
      values = List.copyOf(values);
    }
  }

  /** A whole number within [min, max]. */
  record Int(long min, long max) implements Shape {}

  /** A percentage: a number greater than 0 and at most 100. */
  record Percent() implements Shape {}

  /** true or false. */
  record Bool() implements Shape {}

  /** A duration written with a unit: 500ms, 30s, 5m, 1h, 7d. */
  record Dur() implements Shape {}
}
