package io.bulwark.fleet;

import static io.bulwark.fleet.GroupEventLog.safely;

import io.bulwark.fleet.GroupEvent.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Owns the lifecycle state machine of a group's instances (PENDING → IN_SERVICE → DRAINING →
 * TERMINATING): health checks, registration with the gateway once the first one passes, replacement
 * of an instance that dies, fails its checks or is not ready within its grace period, draining
 * through deregistration, and the stops still in progress. Guarded by the group's lock.
 */
final class InstanceLifecycle {

  private final GroupConfig config;
  private final Registrar registrar;
  private final HealthProbe probe;
  private final GroupEventLog events;
  private final List<CompletableFuture<Void>> stopping = new ArrayList<>();

  InstanceLifecycle(
      GroupConfig config, Registrar registrar, HealthProbe probe, GroupEventLog events) {
    this.config = config;
    this.registrar = registrar;
    this.probe = probe;
    this.events = events;
  }

  /** Forgets the stops that have completed. */
  void forgetStopped() {
    stopping.removeIf(CompletableFuture::isDone);
  }

  /**
   * Moves {@code m} on as far as its state, its process and its health checks allow at {@code now}.
   */
  void step(GroupMember m, Instant now) {
    switch (m.state) {
      case PENDING, IN_SERVICE -> {
        if (!m.instance.isAlive()) {
          events.add(Kind.DIED, m, "exited; replacing it");
          if (m.state == Lifecycle.IN_SERVICE) {
            safely(() -> registrar.remove(m.instance));
          }
          terminate(m, now, "it died");
          return;
        }
        if (m.probe != null && m.probe.isDone()) {
          boolean ok = m.probe.getNow(false);
          m.probe = null;
          m.lastCheck = now;
          checked(m, ok, now);
        }
        if (m.state == Lifecycle.PENDING
            && !now.isBefore(m.launchedAt.plus(config.gracePeriod()))) {
          events.add(
              Kind.UNHEALTHY,
              m,
              "not ready within its grace period of "
                  + config.gracePeriod().toMillis()
                  + " ms; replacing it");
          terminate(m, now, "never became ready");
          return;
        }
        boolean due =
            m.state == Lifecycle.PENDING
                || m.lastCheck == null
                || !now.isBefore(m.lastCheck.plus(config.healthCheckInterval()));
        if ((m.state == Lifecycle.PENDING || m.state == Lifecycle.IN_SERVICE)
            && m.probe == null
            && due) {
          m.probe =
              m.state == Lifecycle.PENDING ? probe.check(m.instance) : probe.alive(m.instance);
        }
      }
      case DRAINING -> {
        boolean drained = m.drain == null || m.drain.isDone();
        boolean delayOver = !now.isBefore(m.drainStartedAt.plus(config.deregistrationDelay()));
        if (drained || delayOver || !m.instance.isAlive()) {
          terminate(m, now, drained ? "drained" : "deregistration delay over");
        }
      }
      case TERMINATING -> {}
    }
  }

  private void checked(GroupMember m, boolean ok, Instant now) {
    if (m.state == Lifecycle.PENDING) {
      if (!ok) {
        return;
      }
      try {
        registrar.register(m.instance);
      } catch (RuntimeException e) {
        events.add(Kind.LAUNCH_FAILED, m, "could not register: " + e.getMessage());
        terminate(m, now, "registration failed");
        return;
      }
      m.healthy = true;
      m.failures = 0;
      m.state = Lifecycle.IN_SERVICE;
      m.inServiceAt = now;
      events.add(
          Kind.IN_SERVICE,
          m,
          "ready and registered "
              + Duration.between(m.launchedAt, now).toMillis()
              + " ms after launch");
      return;
    }
    if (m.state != Lifecycle.IN_SERVICE) {
      return;
    }
    if (ok) {
      m.failures = 0;
      m.healthy = true;
      return;
    }
    m.failures++;
    if (m.failures >= config.unhealthyThreshold()) {
      m.healthy = false;
      if (!now.isBefore(m.launchedAt.plus(config.gracePeriod()))) {
        events.add(
            Kind.UNHEALTHY,
            m,
            m.failures + " failed health checks in a row; draining and replacing it");
        drain(m, now);
      }
    }
  }

  /** Deregisters {@code m}; it stops once its requests in flight are done or the delay is over. */
  void drain(GroupMember m, Instant now) {
    m.state = Lifecycle.DRAINING;
    m.drainStartedAt = now;
    m.healthy = false;
    try {
      m.drain = registrar.deregister(m.instance);
    } catch (RuntimeException e) {
      m.drain = CompletableFuture.completedFuture(null);
    }
    events.add(Kind.DRAINING, m, "deregistered; finishing requests in flight");
  }

  /** Stops {@code m} now; the group drops it at the end of the tick. */
  void terminate(GroupMember m, Instant now, String why) {
    m.state = Lifecycle.TERMINATING;
    m.healthy = false;
    if (m.probe != null) {
      m.probe.cancel(false);
    }
    stopping.add(m.instance.stop(config.stopGrace()));
    events.add(
        Kind.TERMINATED,
        m,
        "stopping (" + why + ") after " + Duration.between(m.launchedAt, now).toMillis() + " ms");
  }

  /**
   * Deregisters and stops every one of {@code members} without draining (the group closes); returns
   * every stop still in progress.
   */
  List<CompletableFuture<Void>> stopAll(List<GroupMember> members) {
    for (GroupMember m : members) {
      if (m.state == Lifecycle.IN_SERVICE || m.state == Lifecycle.DRAINING) {
        safely(() -> registrar.remove(m.instance));
      }
      if (m.state != Lifecycle.TERMINATING) {
        stopping.add(m.instance.stop(config.stopGrace()));
        m.state = Lifecycle.TERMINATING;
      }
    }
    return List.copyOf(stopping);
  }
}
