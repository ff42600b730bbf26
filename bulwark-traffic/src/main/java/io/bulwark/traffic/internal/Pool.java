package io.bulwark.traffic.internal;

import io.bulwark.traffic.HealthCheck;
import io.bulwark.traffic.OutlierDetection;
import io.bulwark.traffic.PoolConfig;
import io.bulwark.traffic.PoolStatus;
import io.bulwark.traffic.TargetConfig;
import io.netty.util.concurrent.FastThreadLocal;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The live state of one pool: weight, enabled flag and targets. */
public final class Pool {
  private static final Logger LOG = LoggerFactory.getLogger(Pool.class);

  private final String name;
  private final Optional<HealthCheck> healthCheck;
  private final OutlierDetection outlierDetection;
  private final Duration deregistrationDelay;
  private static final Target[] NONE = new Target[0];
  // Round-robin position among equally loaded targets, one per event loop: each loop still goes
  // round the targets in turn, and no cache line is written by both cores on every request.
  private static final FastThreadLocal<int[]> CURSOR =
      new FastThreadLocal<>() {
        @Override
        protected int[] initialValue() {
          return new int[1];
        }
      };

  // Replaced whole on every change, so readers iterate a stable array without copying it.
  private volatile Target[] targets = NONE;
  private final Consumer<Target> onRemoved;
  private volatile int weight;
  private volatile boolean enabled;
  // Smooth weighted round-robin state, guarded by the router's lock.
  int currentWeight;

  Pool(PoolConfig config, Consumer<Target> onRemoved) {
    this.name = config.name();
    this.weight = config.weight();
    this.enabled = config.enabled();
    this.healthCheck = config.healthCheck();
    this.outlierDetection = config.outlierDetection();
    this.deregistrationDelay = config.deregistrationDelay();
    this.onRemoved = onRemoved;
  }

  public String name() {
    return name;
  }

  public int weight() {
    return weight;
  }

  void weight(int weight) {
    PoolConfig.checkWeight(name, weight);
    this.weight = weight;
  }

  public boolean enabled() {
    return enabled;
  }

  void enabled(boolean enabled) {
    this.enabled = enabled;
  }

  Optional<HealthCheck> healthCheck() {
    return healthCheck;
  }

  OutlierDetection outlierDetection() {
    return outlierDetection;
  }

  Duration deregistrationDelay() {
    return deregistrationDelay;
  }

  public List<Target> targets() {
    return List.of(targets);
  }

  Target add(TargetConfig config) {
    Target target = new Target(config, this);
    synchronized (this) {
      Target[] before = targets;
      Target[] after = Arrays.copyOf(before, before.length + 1);
      after[before.length] = target;
      targets = after;
    }
    return target;
  }

  /** Takes {@code target} out of the pool; idempotent. */
  void remove(Target target) {
    synchronized (this) {
      Target[] before = targets;
      int i = Arrays.asList(before).indexOf(target);
      if (i < 0) {
        return;
      }
      Target[] after = new Target[before.length - 1];
      System.arraycopy(before, 0, after, 0, i);
      System.arraycopy(before, i + 1, after, i, before.length - i - 1);
      targets = after;
    }
    target.markRemoved();
    onRemoved.accept(target);
  }

  /** Whether the pool is enabled and some target takes new requests. */
  boolean serving(long nowNanos) {
    if (!enabled) {
      return false;
    }
    for (Target t : targets) {
      if (t.serving(nowNanos)) {
        return true;
      }
    }
    return false;
  }

  /** Whether some serving target is not in {@code exclude}. */
  boolean hasCandidate(long nowNanos, Set<Target> exclude) {
    if (!enabled) {
      return false;
    }
    for (Target t : targets) {
      if (t.serving(nowNanos) && !exclude.contains(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The serving target outside {@code exclude} with the fewest outstanding requests; ties go
   * round-robin (per event loop). Null when there is none.
   */
  Target choose(long nowNanos, Set<Target> exclude) {
    if (!enabled) {
      return null;
    }
    Target[] snapshot = targets;
    int n = snapshot.length;
    if (n == 0) {
      return null;
    }
    if (n == 1) {
      Target only = snapshot[0];
      return only.serving(nowNanos) && !exclude.contains(only) ? only : null;
    }
    int start = Math.floorMod(CURSOR.get()[0]++, n);
    Target best = null;
    int bestLoad = Integer.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      Target t = snapshot[(start + i) % n];
      if (!t.serving(nowNanos) || exclude.contains(t)) {
        continue;
      }
      int load = t.inFlight();
      if (load < bestLoad) {
        best = t;
        bestLoad = load;
      }
    }
    return best;
  }

  /**
   * Fail-open choice when no target anywhere serves: the target outside {@code exclude} with the
   * fewest outstanding requests among those not draining or removed, whatever their health checks
   * and ejections say. Null when there is none.
   */
  Target chooseIgnoringHealth(Set<Target> exclude) {
    if (!enabled) {
      return null;
    }
    Target best = null;
    for (Target t : targets) {
      if (t.draining() || t.removed() || exclude.contains(t)) {
        continue;
      }
      if (best == null || t.inFlight() < best.inFlight()) {
        best = t;
      }
    }
    return best;
  }

  /** Ejects {@code target} unless too many of the pool's targets are ejected already. */
  synchronized boolean tryEject(Target target, long nowNanos) {
    if (target.ejectedAt(nowNanos)) {
      return false;
    }
    Target[] targets = this.targets;
    int size = targets.length;
    int ejectedNow = 0;
    for (Target t : targets) {
      if (t.ejectedAt(nowNanos)) {
        ejectedNow++;
      }
    }
    int allowed = Math.max(1, size * outlierDetection.maxEjectionPercent() / 100);
    if (ejectedNow >= allowed) {
      LOG.warn(
          "pool {}: not ejecting target {}: {} of {} targets already ejected (max {}%)",
          name, target.id(), ejectedNow, size, outlierDetection.maxEjectionPercent());
      return false;
    }
    long millis = target.eject(nowNanos);
    LOG.warn(
        "pool {}: ejected target {} for {} ms after {} consecutive failures",
        name,
        target.id(),
        millis,
        outlierDetection.consecutiveFailures());
    return true;
  }

  PoolStatus status(Clock clock) {
    return new PoolStatus(
        name,
        weight,
        enabled,
        serving(System.nanoTime()),
        Arrays.stream(targets).map(t -> t.status(clock)).toList());
  }

  PoolConfig toConfig() {
    PoolConfig.Builder b =
        PoolConfig.builder(name)
            .weight(weight)
            .enabled(enabled)
            .targets(Arrays.stream(targets).filter(t -> !t.draining()).map(Target::config).toList())
            .outlierDetection(outlierDetection)
            .deregistrationDelay(deregistrationDelay);
    healthCheck.ifPresentOrElse(b::healthCheck, b::noHealthCheck);
    return b.build();
  }
}
