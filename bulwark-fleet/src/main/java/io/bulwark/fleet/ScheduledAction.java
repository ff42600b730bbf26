package io.bulwark.fleet;

import io.bulwark.kernel.Check;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Scheduled scaling: at {@code at}, set any of min, max and desired (pre-scaling before a known
 * peak such as Black Friday, scaling back after it). Applied once, when the group's clock passes
 * {@code at}; a value that would break min <= desired <= max is adjusted to fit the others set.
 *
 * @param name what it is for, e.g. {@code black-friday}
 * @param at when it applies
 * @param min new minimum, if set
 * @param max new maximum, if set
 * @param desired new desired count, if set
 */
public record ScheduledAction(
    String name, Instant at, OptionalInt min, OptionalInt max, OptionalInt desired) {

  public ScheduledAction {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    Objects.requireNonNull(desired, "desired");
    if (min.isEmpty() && max.isEmpty() && desired.isEmpty()) {
      throw new IllegalArgumentException(
          "scheduled action " + name + " must set at least one of min, max, desired");
    }
    if (min.isPresent() && max.isPresent()) {
      Check.atLeast("scheduled action " + name + ": max", max.getAsInt(), "min", min.getAsInt());
    }
    if ((min.isPresent() && min.getAsInt() < 0)
        || (max.isPresent() && max.getAsInt() < 1)
        || (desired.isPresent() && desired.getAsInt() < 0)) {
      throw new IllegalArgumentException(
          "scheduled action " + name + ": sizes must be min >= 0, max >= 1, desired >= 0");
    }
  }

  /** At {@code at}, set min, max and desired. */
  public static ScheduledAction of(String name, Instant at, int min, int max, int desired) {
    GroupConfig.checkSize(min, max, desired);
    return new ScheduledAction(
        name, at, OptionalInt.of(min), OptionalInt.of(max), OptionalInt.of(desired));
  }
}
