package io.bulwark.messaging.internal;

import io.bulwark.eventstore.MessageSink;
import io.bulwark.eventstore.OutboxRelay;
import io.bulwark.messaging.BusOptions;
import java.time.Duration;
import javax.sql.DataSource;

/** The outbox relay of a bus, whatever its transport, run by one process at a time. */
public final class Relays {

  private Relays() {}

  /** A relay builder for the outbox in {@code dataSource} delivering to {@code sink}. */
  public static OutboxRelay.Builder relay(DataSource dataSource, MessageSink sink, BusOptions o) {
    return OutboxRelay.builder(dataSource, sink)
        .batchSize(o.batchSize())
        .pollInterval(o.pollInterval())
        .backoff(o.redelivery().backoff())
        .meterRegistry(o.registry());
  }

  /** Leadership over relays to {@code sink}, checked every second. */
  public static RelayLeadership leadership(DataSource dataSource, MessageSink sink, BusOptions o) {
    return new RelayLeadership(
        dataSource, relay(dataSource, sink, o)::build, Duration.ofSeconds(1), o.registry());
  }
}
