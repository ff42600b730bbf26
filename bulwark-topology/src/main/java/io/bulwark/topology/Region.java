package io.bulwark.topology;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A region and its zones.
 *
 * @param name region name, e.g. {@code us-east-1}
 * @param role what the region does in normal operation
 * @param provider cloud or site, e.g. {@code aws}; empty when not given
 * @param zones availability zones, at least one, names unique
 * @param availability known availability of the region's shared infrastructure, in percent
 * @param network the region's network components
 */
public record Region(
    String name,
    RegionRole role,
    String provider,
    List<String> zones,
    OptionalDouble availability,
    Network network) {

  public Region {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(availability, "availability");
    Objects.requireNonNull(network, "network");
    zones = List.copyOf(zones);
    if (zones.isEmpty()) {
      throw new IllegalArgumentException("a region needs at least one zone, got none");
    }
    if (new HashSet<>(zones).size() != zones.size()) {
      throw new IllegalArgumentException("zone names must be unique, got " + zones);
    }
    Percentages.check("availability", availability);
  }

  /** A region with default network and no availability figure. */
  public static Region of(String name, RegionRole role, List<String> zones) {
    return new Region(name, role, "", zones, OptionalDouble.empty(), Network.defaults());
  }
}
