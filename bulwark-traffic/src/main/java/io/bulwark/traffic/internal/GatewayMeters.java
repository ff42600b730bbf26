package io.bulwark.traffic.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Owns the gateway's meters: requests in flight, unrouted requests, retries per pool, each pool's
 * weight and serving state, and each target's {@link TargetMeters}; their removal when the gateway
 * stops; and the Prometheus exposition of the registry they live in.
 */
final class GatewayMeters {

  private final MeterRegistry registry;
  // One cell per event loop: requests start and finish on every loop, and a shared counter's
  // cache line would bounce between the cores on each of them.
  private final LongAdder inFlight = new LongAdder();
  private final Map<String, Counter> retries = new ConcurrentHashMap<>();
  private final List<Meter> meters = new ArrayList<>();
  private final Counter unrouted;
  private final Counter failedOpen;

  /** Registers the gateway's meters, and the gauges of {@code pools}, on {@code registry}. */
  GatewayMeters(MeterRegistry registry, Collection<Pool> pools) {
    this.registry = registry;
    this.unrouted =
        Counter.builder("bulwark.gateway.unrouted")
            .description("Requests answered 503 because no pool had a serving target")
            .register(registry);
    meters.add(unrouted);
    this.failedOpen =
        Counter.builder("bulwark.gateway.fail.open")
            .description(
                "Requests routed to targets failing their checks because no target passed them")
            .register(registry);
    meters.add(failedOpen);
    meters.add(
        Gauge.builder("bulwark.gateway.inflight", inFlight, LongAdder::sum)
            .description("Client requests in progress")
            .strongReference(true)
            .register(registry));
    for (Pool pool : pools) {
      meters.add(
          Gauge.builder("bulwark.gateway.pool.weight", pool, Pool::weight)
              .tag("pool", pool.name())
              .strongReference(true)
              .register(registry));
      meters.add(
          Gauge.builder(
                  "bulwark.gateway.pool.serving", pool, p -> p.serving(System.nanoTime()) ? 1 : 0)
              .tag("pool", pool.name())
              .description("1 when the pool is enabled and has a serving target")
              .strongReference(true)
              .register(registry));
    }
  }

  void requestStarted() {
    inFlight.increment();
  }

  void requestFinished() {
    inFlight.decrement();
  }

  /** Client requests in progress. */
  long inFlight() {
    return inFlight.sum();
  }

  void unrouted() {
    unrouted.increment();
  }

  void failedOpen() {
    failedOpen.increment();
  }

  void retried(Pool pool) {
    retries
        .computeIfAbsent(
            pool.name(),
            name -> {
              Counter c =
                  Counter.builder("bulwark.gateway.retries")
                      .description("Attempts after the first one")
                      .tag("pool", name)
                      .register(registry);
              synchronized (meters) {
                meters.add(c);
              }
              return c;
            })
        .increment();
  }

  /** Gives a target that joined a pool its meters. */
  void targetAdded(Target target) {
    target.meters(new TargetMeters(registry, target));
  }

  /** Removes the meters of a target that left its pool. */
  static void targetRemoved(Target target) {
    TargetMeters meters = target.meters();
    if (meters != null) {
      meters.remove();
    }
  }

  /** Removes every meter: those of the targets still in {@code pools}, and the gateway's own. */
  void removeAll(Collection<Pool> pools) {
    for (Pool pool : pools) {
      for (Target t : pool.targets()) {
        targetRemoved(t);
      }
    }
    synchronized (meters) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }

  /**
   * The Prometheus text exposition of the registry, when it is (or contains) a {@link
   * PrometheusMeterRegistry}.
   */
  Optional<String> scrape() {
    return prometheus(registry).map(PrometheusMeterRegistry::scrape);
  }

  private static Optional<PrometheusMeterRegistry> prometheus(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry p) {
      return Optional.of(p);
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry child : composite.getRegistries()) {
        Optional<PrometheusMeterRegistry> found = prometheus(child);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  String registryKind() {
    return registry.getClass().getSimpleName();
  }
}
