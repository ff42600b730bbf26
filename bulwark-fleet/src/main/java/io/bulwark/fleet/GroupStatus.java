package io.bulwark.fleet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of an instance group.
 *
 * @param name group name
 * @param min current minimum
 * @param max current maximum
 * @param desired current desired count
 * @param instances every instance not yet gone
 * @param refresh the rolling refresh in progress or last finished, if any
 */
public record GroupStatus(
    String name,
    int min,
    int max,
    int desired,
    List<InstanceStatus> instances,
    Optional<RefreshStatus> refresh) {

  public GroupStatus {
    instances = List.copyOf(instances);
  }

  /** Instances in {@code state}. */
  public List<InstanceStatus> in(Lifecycle state) {
    return instances.stream().filter(i -> i.state() == state).toList();
  }

  /** How many instances are in service and healthy. */
  public int healthyInService() {
    return (int)
        instances.stream().filter(i -> i.state() == Lifecycle.IN_SERVICE && i.healthy()).count();
  }

  /** In-service instance count per zone, in the order zones first appear. */
  public Map<Zone, Integer> inServiceByZone() {
    Map<Zone, Integer> out = new LinkedHashMap<>();
    for (InstanceStatus i : instances) {
      if (i.state() == Lifecycle.IN_SERVICE) {
        out.merge(i.zone(), 1, Integer::sum);
      }
    }
    return out;
  }
}
