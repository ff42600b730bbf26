package io.bulwark.traffic.internal;

import io.bulwark.traffic.HealthCheck;
import io.bulwark.traffic.TargetConfig;
import io.bulwark.traffic.TargetState;
import io.bulwark.traffic.TargetStatus;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live state of one upstream target: health, ejection, draining, outstanding requests and its
 * idle keep-alive connections (one queue per event loop, touched only from that loop).
 */
public final class Target {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Target.class);

  /** Outcome of feeding one health-check result in. */
  enum HealthTransition {
    NONE,
    BECAME_HEALTHY,
    BECAME_UNHEALTHY
  }

  private static final int MAX_IDLE_PER_LOOP = 64;

  private final TargetConfig config;
  private final Pool pool;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final ConcurrentHashMap<EventLoop, ArrayDeque<Channel>> idle = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> removal = new CompletableFuture<>();
  private volatile boolean healthy = true;
  private volatile long ejectedUntilNanos;
  private volatile boolean ejected;
  private volatile boolean draining;
  private volatile boolean removed;
  private volatile TargetMeters meters;
  // Guarded by the pool's lock.
  private int ejections;
  // Touched only by this target's health-check loop.
  private int checkSuccesses;
  private int checkFailures;

  Target(TargetConfig config, Pool pool) {
    this.config = config;
    this.pool = pool;
  }

  public String id() {
    return config.id();
  }

  public TargetConfig config() {
    return config;
  }

  public Pool pool() {
    return pool;
  }

  public int inFlight() {
    return inFlight.get();
  }

  public boolean healthy() {
    return healthy;
  }

  public boolean draining() {
    return draining;
  }

  public boolean removed() {
    return removed;
  }

  /** Completes when the target has left its pool. */
  public CompletableFuture<Void> removal() {
    return removal;
  }

  TargetMeters meters() {
    return meters;
  }

  void meters(TargetMeters meters) {
    this.meters = meters;
  }

  /** Whether the target takes new requests at {@code nowNanos}. */
  public boolean serving(long nowNanos) {
    return healthy && !draining && !removed && !ejectedAt(nowNanos);
  }

  boolean ejectedAt(long nowNanos) {
    if (!ejected) {
      return false;
    }
    if (nowNanos - ejectedUntilNanos >= 0) {
      ejected = false;
      return false;
    }
    return true;
  }

  /** The state a user sees. */
  public TargetState state(long nowNanos) {
    if (draining || removed) {
      return TargetState.DRAINING;
    }
    if (!healthy) {
      return TargetState.UNHEALTHY;
    }
    if (ejectedAt(nowNanos)) {
      return TargetState.EJECTED;
    }
    return TargetState.SERVING;
  }

  /** A snapshot; {@code clock} turns the ejection deadline into an instant. */
  public TargetStatus status(Clock clock) {
    long now = System.nanoTime();
    Optional<Instant> until =
        ejectedAt(now)
            ? Optional.of(clock.instant().plusNanos(ejectedUntilNanos - now))
            : Optional.empty();
    return new TargetStatus(
        config.id(),
        pool.name(),
        config.host(),
        config.port(),
        config.zone(),
        state(now),
        healthy,
        until,
        inFlight.get());
  }

  void begin() {
    inFlight.incrementAndGet();
  }

  void end() {
    if (inFlight.decrementAndGet() == 0 && draining) {
      pool.remove(this);
    }
  }

  void recordSuccess() {
    // Read first: writing the shared counter on every success would bounce its cache line
    // between the event loops' cores.
    if (consecutiveFailures.get() != 0) {
      consecutiveFailures.set(0);
    }
  }

  /** Counts a failed request; returns true when it ejected the target. */
  boolean recordFailure(long nowNanos) {
    int threshold = pool.outlierDetection().consecutiveFailures();
    if (threshold == 0) {
      return false;
    }
    if (consecutiveFailures.incrementAndGet() >= threshold && !ejectedAt(nowNanos)) {
      return pool.tryEject(this, nowNanos);
    }
    return false;
  }

  /** Called by the pool under its lock. */
  long eject(long nowNanos) {
    ejections++;
    var od = pool.outlierDetection();
    long nanos =
        Math.min(od.baseEjectionTime().toNanos() * ejections, od.maxEjectionTime().toNanos());
    ejectedUntilNanos = nowNanos + nanos;
    ejected = true;
    consecutiveFailures.set(0);
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  HealthTransition recordHealthCheck(boolean passed, HealthCheck check) {
    if (passed) {
      checkFailures = 0;
      checkSuccesses++;
      if (!healthy && checkSuccesses >= check.healthyThreshold()) {
        healthy = true;
        return HealthTransition.BECAME_HEALTHY;
      }
    } else {
      checkSuccesses = 0;
      checkFailures++;
      if (healthy && checkFailures >= check.unhealthyThreshold()) {
        healthy = false;
        return HealthTransition.BECAME_UNHEALTHY;
      }
    }
    return HealthTransition.NONE;
  }

  /**
   * Takes the health peer gateways found (for a pool this gateway does not probe).
   *
   * @param votes peers in the pool's check regions that reported the target
   * @param down how many of them found it unhealthy
   */
  void peerHealth(boolean healthyNow, int votes, int down) {
    if (healthy != healthyNow) {
      healthy = healthyNow;
      if (healthyNow) {
        LOG.info(
            "target {} in pool {} is healthy again ({} of {} probing peers say so)",
            id(),
            pool.name(),
            votes - down,
            votes);
      } else {
        LOG.warn(
            "target {} in pool {} is unhealthy: {} of {} probing peers say so",
            id(),
            pool.name(),
            down,
            votes);
      }
    }
  }

  /** Marks draining; removes at once when idle. */
  void startDraining() {
    draining = true;
    if (inFlight.get() == 0) {
      pool.remove(this);
    }
  }

  /** Called once by the pool when the target leaves it. */
  void markRemoved() {
    removed = true;
    idle.forEach(
        (loop, queue) ->
            loop.execute(
                () -> {
                  Channel ch;
                  while ((ch = queue.poll()) != null) {
                    ch.close();
                  }
                }));
    removal.complete(null);
  }

  /** An idle pooled connection on {@code loop}, or null. Call on {@code loop}. */
  Channel pollIdle(EventLoop loop) {
    ArrayDeque<Channel> queue = idle.get(loop);
    if (queue == null) {
      return null;
    }
    Channel ch;
    while ((ch = queue.pollLast()) != null) {
      if (ch.isActive()) {
        return ch;
      }
    }
    return null;
  }

  /** Returns a connection to the idle queue, or closes it. Call on {@code loop}. */
  void offerIdle(EventLoop loop, Channel ch) {
    ArrayDeque<Channel> queue = idle.computeIfAbsent(loop, l -> new ArrayDeque<>());
    if (removed || queue.size() >= MAX_IDLE_PER_LOOP || !ch.isActive()) {
      ch.close();
    } else {
      queue.addLast(ch);
    }
  }

  /** Forgets a pooled connection that closed. Call on {@code loop}. */
  void forgetIdle(EventLoop loop, Channel ch) {
    ArrayDeque<Channel> queue = idle.get(loop);
    if (queue != null) {
      queue.remove(ch);
    }
  }

  @Override
  public String toString() {
    return config.id() + "@" + config.host() + ":" + config.port();
  }
}
