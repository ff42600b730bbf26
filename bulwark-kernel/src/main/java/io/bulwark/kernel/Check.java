package io.bulwark.kernel;

import java.time.Duration;

/**
 * Argument checks for configuration builders, with the message style every Bulwark module uses: the
 * field, the rule and the value ({@code pollInterval must be > 0 but was PT0S}).
 */
public final class Check {

  private Check() {}

  /**
   * Returns {@code value} when it is a positive duration.
   *
   * @throws IllegalArgumentException naming {@code name} when it is null, zero or negative
   */
  public static Duration positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0 but was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} when it lies within {@code min..max}.
   *
   * @throws IllegalArgumentException naming {@code name} otherwise
   */
  public static int within(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be in " + min + ".." + max + " but was " + value);
    }
    return value;
  }
}
