package io.bulwark.fleet;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One instance as its group sees it: the lifecycle state, health, generation and the timestamps and
 * futures the {@link InstanceLifecycle} steps it with. Guarded by the group's lock.
 */
final class GroupMember {
  final Instance instance;
  final int generation;
  final Instant launchedAt;
  Lifecycle state = Lifecycle.PENDING;
  boolean healthy;
  int failures;
  Instant inServiceAt;
  Instant lastCheck;
  CompletableFuture<Boolean> probe;
  CompletableFuture<Void> drain;
  Instant drainStartedAt;

  GroupMember(Instance instance, int generation, Instant launchedAt) {
    this.instance = instance;
    this.generation = generation;
    this.launchedAt = launchedAt;
  }

  Zone zone() {
    return instance.zone();
  }

  /** Pending or in service: counts toward the group's capacity. */
  boolean active() {
    return state == Lifecycle.PENDING || state == Lifecycle.IN_SERVICE;
  }

  /** How many of {@code members} are in service and healthy. */
  static int healthyInService(List<GroupMember> members) {
    return (int) members.stream().filter(m -> m.state == Lifecycle.IN_SERVICE && m.healthy).count();
  }
}
