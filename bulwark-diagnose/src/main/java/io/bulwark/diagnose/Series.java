package io.bulwark.diagnose;

import java.util.List;
import java.util.Objects;

/**
 * The samples of one metric of one component, oldest first.
 *
 * @param component the component as the topology names it ({@code shop}, {@code database} …)
 * @param metric the metric's name, one of {@link Signals}
 * @param points the samples, oldest first
 */
public record Series(String component, String metric, List<Point> points) {

  /** Checks the members; copies the points. */
  public Series {
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(metric, "metric");
    points = List.copyOf(points);
  }
}
