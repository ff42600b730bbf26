package io.bulwark.topology;

import java.util.OptionalDouble;

/** Checks on availability percentages. */
final class Percentages {
  private Percentages() {}

  static double check(String field, double percent) {
    if (!(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException(
          field + " must be a percentage greater than 0 and at most 100, got " + percent);
    }
    return percent;
  }

  static void check(String field, OptionalDouble percent) {
    percent.ifPresent(p -> check(field, p));
  }
}
