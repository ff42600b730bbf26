package io.bulwark.topology;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a service's instances run. Instances are spread evenly over the placement regions (or as
 * {@code perRegion} says, like the seed's federated 6 replicas = 3/2/1), then evenly over the zones
 * of each region.
 *
 * @param regions regions to place in; empty means every primary/active region, or the keys of
 *     {@code perRegion} when given
 * @param zones zones to restrict to; empty means every zone of each region
 * @param perRegion running instances per region, overriding the even spread; 0 keeps a stopped
 *     (pilot light) footprint in the region
 */
public record Placement(List<String> regions, List<String> zones, Map<String, Integer> perRegion) {

  public Placement {
    regions = List.copyOf(regions);
    zones = List.copyOf(zones);
    perRegion = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perRegion));
    perRegion.forEach(
        (region, n) -> {
          if (n < 0) {
            throw new IllegalArgumentException(
                "per-region count for " + region + " must be >= 0, got " + n);
          }
        });
  }

  /** Even spread over every primary/active region and all their zones. */
  public static Placement everywhere() {
    return new Placement(List.of(), List.of(), Map.of());
  }
}
