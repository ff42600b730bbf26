package io.bulwark.fleet;

import io.bulwark.kernel.Check;
import java.util.Objects;

/**
 * A zone in a region: where one instance runs.
 *
 * @param region region name, e.g. {@code us-east-1}
 * @param name zone name, e.g. {@code us-east-1a}
 */
public record Zone(String region, String name) {

  public Zone {
    Check.notBlank("zone region", region);
    Check.notBlank("zone name", name);
  }

  /** Zone {@code name} in {@code region}. */
  public static Zone of(String region, String name) {
    return new Zone(Objects.requireNonNull(region, "region"), Objects.requireNonNull(name, "name"));
  }

  @Override
  public String toString() {
    return region + "/" + name;
  }
}
