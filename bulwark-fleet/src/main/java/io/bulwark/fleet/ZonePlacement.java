package io.bulwark.fleet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Owns where a group's instances go: which zones are available (a zone that refused a launch is
 * skipped until its retry time), how many instances each zone should hold (fixed per-region counts,
 * the rest spread evenly), the zone the next launch goes to and the instance a scale-in removes.
 * Guarded by the group's lock.
 */
final class ZonePlacement {

  private final GroupConfig config;
  private final Map<Zone, Instant> impairedUntil = new HashMap<>();

  ZonePlacement(GroupConfig config) {
    this.config = config;
  }

  /** The group's zones that take launches at {@code now}. */
  List<Zone> available(Instant now) {
    return config.zones().stream()
        .filter(z -> !impairedUntil.getOrDefault(z, Instant.MIN).isAfter(now))
        .toList();
  }

  /** {@code zone} refused a launch: place instances elsewhere until {@code until}. */
  void impair(Zone zone, Instant until) {
    impairedUntil.put(zone, until);
  }

  /**
   * The available zone furthest below its share of {@code count} instances given the {@code active}
   * ones (on a tie, the one holding fewest).
   */
  Zone toGrow(int count, List<Zone> available, List<GroupMember> active) {
    Map<Zone, Integer> wanted = placement(count, available);
    Map<Zone, Integer> have = countByZone(active);
    Zone best = null;
    int bestGap = Integer.MIN_VALUE;
    int bestHave = Integer.MAX_VALUE;
    for (Zone z : available) {
      int gap = wanted.getOrDefault(z, 0) - have.getOrDefault(z, 0);
      int h = have.getOrDefault(z, 0);
      if (gap > bestGap || (gap == bestGap && h < bestHave)) {
        best = z;
        bestGap = gap;
        bestHave = h;
      }
    }
    return best;
  }

  /**
   * The instance a scale-in to {@code count} removes: from the zone most over its share, then the
   * oldest generation, a pending one before one in service, the newest launch.
   */
  GroupMember toShrink(int count, Instant now, List<GroupMember> active) {
    Map<Zone, Integer> wanted = placement(count, available(now));
    Map<Zone, Integer> have = countByZone(active);
    return active.stream()
        .max(
            Comparator.<GroupMember>comparingInt(
                    m -> have.getOrDefault(m.zone(), 0) - wanted.getOrDefault(m.zone(), 0))
                .thenComparing(m -> -m.generation)
                .thenComparing(m -> m.state == Lifecycle.PENDING ? 1 : 0)
                .thenComparing(m -> m.launchedAt))
        .orElseThrow();
  }

  /**
   * How many of {@code count} instances each available zone should hold: fixed per-region counts
   * first, the rest evenly over the other regions, then evenly over each region's zones; a region
   * with no available zone gives its share to the others.
   */
  Map<Zone, Integer> placement(int count, List<Zone> available) {
    Map<String, List<Zone>> byRegion = new LinkedHashMap<>();
    for (Zone z : available) {
      byRegion.computeIfAbsent(z.region(), r -> new ArrayList<>()).add(z);
    }
    Map<Zone, Integer> out = new LinkedHashMap<>();
    if (byRegion.isEmpty()) {
      return out;
    }
    Map<String, Integer> regionCounts = new LinkedHashMap<>();
    int fixed = 0;
    for (String r : byRegion.keySet()) {
      Integer n = config.perRegion().get(r);
      if (n != null) {
        int take = Math.min(n, Math.max(0, count - fixed));
        regionCounts.put(r, take);
        fixed += take;
      }
    }
    List<String> even =
        byRegion.keySet().stream().filter(r -> !config.perRegion().containsKey(r)).toList();
    if (even.isEmpty()) {
      even = List.copyOf(byRegion.keySet());
    }
    int rest = count - fixed;
    for (int k = 0; k < even.size(); k++) {
      regionCounts.merge(
          even.get(k), rest / even.size() + (k < rest % even.size() ? 1 : 0), Integer::sum);
    }
    for (var e : byRegion.entrySet()) {
      int n = regionCounts.getOrDefault(e.getKey(), 0);
      List<Zone> zones = e.getValue();
      for (int k = 0; k < zones.size(); k++) {
        out.put(zones.get(k), n / zones.size() + (k < n % zones.size() ? 1 : 0));
      }
    }
    return out;
  }

  /** How many of {@code members} each zone holds. */
  static Map<Zone, Integer> countByZone(List<GroupMember> members) {
    Map<Zone, Integer> have = new HashMap<>();
    for (GroupMember m : members) {
      have.merge(m.zone(), 1, Integer::sum);
    }
    return have;
  }
}
