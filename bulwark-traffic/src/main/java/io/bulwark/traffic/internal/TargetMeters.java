package io.bulwark.traffic.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters of one target, tagged {@code pool} and {@code target}:
 *
 * <ul>
 *   <li>{@code bulwark.gateway.requests} timer, tag {@code status} (2xx … 5xx): count and latency
 *       of answered attempts;
 *   <li>{@code bulwark.gateway.errors} counter, tag {@code reason} (connect, reset, timeout,
 *       status): failed attempts;
 *   <li>{@code bulwark.gateway.upstream.connects} counter: upstream connections opened;
 *   <li>{@code bulwark.gateway.target.healthy}, {@code .serving}, {@code .inflight} gauges.
 * </ul>
 */
final class TargetMeters {
  private final MeterRegistry registry;
  private final Tags tags;
  private final Timer[] byStatusClass = new Timer[6];
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Counter connects;
  private final List<Meter> meters = new ArrayList<>();

  TargetMeters(MeterRegistry registry, Target target) {
    this.registry = registry;
    this.tags = Tags.of("pool", target.pool().name(), "target", target.id());
    for (int c = 1; c <= 5; c++) {
      byStatusClass[c] =
          Timer.builder("bulwark.gateway.requests")
              .description("Requests answered by an upstream target")
              .tags(tags)
              .tag("status", c + "xx")
              .register(registry);
      meters.add(byStatusClass[c]);
    }
    connects =
        Counter.builder("bulwark.gateway.upstream.connects")
            .description("Upstream connections opened; pooled keep-alive keeps it low")
            .tags(tags)
            .register(registry);
    meters.add(connects);
    meters.add(
        Gauge.builder("bulwark.gateway.target.healthy", target, t -> t.healthy() ? 1 : 0)
            .description("1 when the target passes its active health checks")
            .tags(tags)
            .strongReference(true)
            .register(registry));
    meters.add(
        Gauge.builder(
                "bulwark.gateway.target.serving", target, t -> t.serving(System.nanoTime()) ? 1 : 0)
            .description("1 when the target takes new requests")
            .tags(tags)
            .strongReference(true)
            .register(registry));
    meters.add(
        Gauge.builder("bulwark.gateway.target.inflight", target, Target::inFlight)
            .description("Requests sent to the target and not yet answered")
            .tags(tags)
            .strongReference(true)
            .register(registry));
  }

  void answered(int status, long nanos) {
    int c = status / 100;
    if (c >= 1 && c <= 5) {
      byStatusClass[c].record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  void connected() {
    connects.increment();
  }

  void error(String reason) {
    errors
        .computeIfAbsent(
            reason,
            r -> {
              Counter counter =
                  Counter.builder("bulwark.gateway.errors")
                      .description("Failed attempts to a target")
                      .tags(tags)
                      .tag("reason", r)
                      .register(registry);
              synchronized (meters) {
                meters.add(counter);
              }
              return counter;
            })
        .increment();
  }

  void remove() {
    synchronized (meters) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }
}
