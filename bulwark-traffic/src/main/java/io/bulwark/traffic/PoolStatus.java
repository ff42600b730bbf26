package io.bulwark.traffic;

import java.util.List;

/**
 * A snapshot of one pool.
 *
 * @param name pool name
 * @param weight current weight
 * @param enabled whether the pool takes traffic at all
 * @param serving whether it is enabled and has at least one serving target
 * @param targets its targets
 */
public record PoolStatus(
    String name, int weight, boolean enabled, boolean serving, List<TargetStatus> targets) {

  /** The targets in state {@code state}. */
  public List<TargetStatus> targetsIn(TargetState state) {
    return targets.stream().filter(t -> t.state() == state).toList();
  }
}
