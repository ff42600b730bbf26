package io.bulwark.eventstore.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The event store's meters, all named {@code bulwark.eventstore.*}. */
public final class EventStoreMetrics {

  private final Counter appends;
  private final Counter eventsAppended;
  private final Counter conflicts;
  private final Counter eventsRead;
  private final Timer appendLatency;

  /** Registers the meters on {@code registry}. */
  public EventStoreMetrics(MeterRegistry registry) {
    appends =
        Counter.builder("bulwark.eventstore.appends")
            .description("successful appends (one per call)")
            .register(registry);
    eventsAppended =
        Counter.builder("bulwark.eventstore.events.appended")
            .description("events written by successful appends")
            .register(registry);
    conflicts =
        Counter.builder("bulwark.eventstore.conflicts")
            .description("appends rejected by a wrong expected version")
            .register(registry);
    eventsRead =
        Counter.builder("bulwark.eventstore.events.read")
            .description("events returned by readStream and readAll")
            .register(registry);
    appendLatency =
        Timer.builder("bulwark.eventstore.append.latency")
            .description("time of an append, including its commit when the store commits")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
  }

  /** A successful append of {@code events} events that took {@code nanos}. */
  public void appended(int events, long nanos) {
    appends.increment();
    eventsAppended.increment(events);
    appendLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** A rejected append. */
  public void conflict() {
    conflicts.increment();
  }

  /** {@code events} events returned to a reader. */
  public void read(int events) {
    eventsRead.increment(events);
  }
}
