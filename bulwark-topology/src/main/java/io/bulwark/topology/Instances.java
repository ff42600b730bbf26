package io.bulwark.topology;

/**
 * Size of an instance group.
 *
 * @param min fewest instances (>= 0)
 * @param max most instances (>= 1 and >= min)
 * @param desired instances normally running over all regions, within [min, max]
 */
public record Instances(int min, int max, int desired) {

  /** No instances: what an external service has. */
  public static final Instances NONE = new Instances(0, 1, 0);

  public Instances {
    if (min < 0) {
      throw new IllegalArgumentException("min must be >= 0, got " + min);
    }
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1, got " + max);
    }
    if (max < min) {
      throw new IllegalArgumentException("max must be >= min (" + min + "), got " + max);
    }
    if (desired < min || desired > max) {
      throw new IllegalArgumentException(
          "desired must be between min (" + min + ") and max (" + max + "), got " + desired);
    }
  }

  /** A group of {@code min}..{@code max} instances normally running {@code desired}. */
  public static Instances of(int min, int max, int desired) {
    return new Instances(min, max, desired);
  }
}
