package io.bulwark.fleet;

import io.bulwark.fleet.GroupEvent.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Owns one rolling refresh: replaces every instance older than its generation in batches, never
 * letting in-service healthy capacity drop below {@code minHealthyPercent} of desired, waiting for
 * each batch's warm-up, and asking for one extra instance (a surge) when no batch fits. Tracks the
 * lowest healthy capacity seen for its {@link RefreshStatus}. Guarded by the group's lock.
 */
final class Rollout {

  private final GroupConfig config;
  private final InstanceLifecycle lifecycle;
  private final GroupEventLog events;
  private final int generation;
  private final Instant startedAt;
  private final int total;
  private Instant finishedAt;
  private int replaced;
  private boolean surge;
  private double minSeen;

  Rollout(
      GroupConfig config,
      InstanceLifecycle lifecycle,
      GroupEventLog events,
      int generation,
      Instant startedAt,
      int total,
      double healthyPercent) {
    this.config = config;
    this.lifecycle = lifecycle;
    this.events = events;
    this.generation = generation;
    this.startedAt = startedAt;
    this.total = total;
    this.minSeen = healthyPercent;
  }

  boolean running() {
    return finishedAt == null;
  }

  /** Notes the group's healthy capacity, in percent of desired, while the refresh runs. */
  void observe(double healthyPercent) {
    if (running()) {
      minSeen = Math.min(minSeen, healthyPercent);
    }
  }

  RefreshStatus status() {
    return new RefreshStatus(
        generation, startedAt, Optional.ofNullable(finishedAt), replaced, total, minSeen);
  }

  /** One instance more than desired while a surge is asked for and an old one still serves. */
  int surge(List<GroupMember> members) {
    if (finishedAt != null || !surge) {
      return 0;
    }
    boolean oldServing =
        members.stream()
            .anyMatch(m -> m.generation < generation && m.state == Lifecycle.IN_SERVICE);
    return oldServing ? 1 : 0;
  }

  /**
   * Drains the next batch of old instances once the group has settled (desired count active, none
   * pending, the new generation warmed up), or finishes when no old instance is left.
   */
  void roll(Instant now, List<GroupMember> members, List<GroupMember> active, int desired) {
    if (finishedAt != null) {
      return;
    }
    List<GroupMember> old =
        members.stream()
            .filter(m -> m.generation < generation && m.state != Lifecycle.TERMINATING)
            .toList();
    if (old.isEmpty()) {
      finishedAt = now;
      surge = false;
      events.add(
          Kind.REFRESH_DONE,
          null,
          "rolling refresh done in "
              + Duration.between(startedAt, now).toMillis()
              + " ms; lowest healthy capacity "
              + Math.round(minSeen)
              + "%");
      return;
    }
    boolean settling =
        active.size() < desired
            || active.stream()
                .anyMatch(
                    m ->
                        m.state == Lifecycle.PENDING
                            || (m.generation == generation
                                && now.isBefore(m.inServiceAt.plus(config.warmUp()))));
    if (settling) {
      return;
    }
    List<GroupMember> oldInService =
        old.stream()
            .filter(m -> m.state == Lifecycle.IN_SERVICE)
            .collect(Collectors.toCollection(ArrayList::new));
    if (oldInService.isEmpty()) {
      return;
    }
    int healthy = GroupMember.healthyInService(members);
    int minHealthy = (int) Math.ceil(desired * config.minHealthyPercent() / 100.0 - 1e-9);
    int allowed = healthy - minHealthy;
    if (allowed <= 0) {
      surge = true;
      return;
    }
    Map<Zone, Integer> have = ZonePlacement.countByZone(active);
    oldInService.sort(
        Comparator.<GroupMember>comparingInt(m -> -have.getOrDefault(m.zone(), 0))
            .thenComparing(m -> m.launchedAt));
    int batch = Math.min(allowed, oldInService.size());
    for (int k = 0; k < batch; k++) {
      GroupMember m = oldInService.get(k);
      events.add(Kind.DRAINING, m, "rolling refresh replaces it");
      lifecycle.drain(m, now);
      replaced++;
    }
  }
}
