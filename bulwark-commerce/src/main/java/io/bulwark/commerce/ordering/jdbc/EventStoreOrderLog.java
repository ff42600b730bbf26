package io.bulwark.commerce.ordering.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.ordering.OrderLog;
import io.bulwark.eventstore.ConcurrentAppendException;
import io.bulwark.eventstore.EventStore;
import io.bulwark.eventstore.ExpectedVersion;
import io.bulwark.eventstore.LogBacklog;
import io.bulwark.eventstore.LogPosition;
import io.bulwark.eventstore.NewEvent;
import io.bulwark.eventstore.PostgresEventStore;
import io.bulwark.eventstore.RecordedEvent;
import io.bulwark.eventstore.WrongExpectedVersionException;
import io.bulwark.kernel.Ids;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.PostgresTransactions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The {@link OrderLog} in the shared {@link EventStore}: appends with expected versions on the
 * transaction open on the calling thread, reads of one stream, and the whole log's {@code order-}
 * streams through {@link EventStore#readAll(java.sql.Connection, LogPosition, int, String)
 * readAll}, in {@link LogPosition (transaction id, position)} order.
 *
 * <p>Reading by transaction id keeps a stream's versions in order only if the writer of version
 * {@code v + 1} has a larger transaction id than the writer of {@code v}; the event store refuses
 * an append on a caller's transaction that would break this ({@link ConcurrentAppendException}),
 * and {@link #append} turns that, like a wrong expected version, into a {@link
 * OrderLog.VersionConflict}: the caller rolls back and retries.
 */
public final class EventStoreOrderLog implements OrderLog {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final int MAX_STREAM = 10_000;

  private final EventStore events;
  private final PostgresTransactions tx;
  private final Clock clock;

  /**
   * A log in {@code events}, in {@code tx}'s transactions, giving events ids from {@code clock}.
   * After a {@link OrderLog.VersionConflict} the caller's transaction is usable or rolled back,
   * depending on how {@code events} appends; either way the caller rolls back.
   */
  public EventStoreOrderLog(EventStore events, PostgresTransactions tx, Clock clock) {
    this.events = Objects.requireNonNull(events, "events");
    this.tx = Objects.requireNonNull(tx, "tx");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A log in the PostgreSQL event store's tables through a {@link PostgresEventStore} of its own,
   * used only on {@code tx}'s connections, stamping events with {@code clock} and counting on
   * {@code registry} ({@code bulwark.eventstore.*}). Its appends set no savepoint (two statements
   * less per append), so after a {@link OrderLog.VersionConflict} the caller's transaction has been
   * rolled back; every caller rolls back and retries after a conflict anyway.
   */
  public EventStoreOrderLog(PostgresTransactions tx, Clock clock, MeterRegistry registry) {
    this(
        PostgresEventStore.builder().clock(clock).meterRegistry(registry).savepoints(false).build(),
        tx,
        clock);
  }

  /** As {@link #EventStoreOrderLog(PostgresTransactions, Clock, MeterRegistry)}, unmetered. */
  public EventStoreOrderLog(PostgresTransactions tx, Clock clock) {
    this(tx, clock, new SimpleMeterRegistry());
  }

  @Override
  public List<DomainEvent> append(UUID orderId, int expectedVersion, List<Pending> pending) {
    List<NewEvent> batch = new ArrayList<>(pending.size());
    for (Pending p : pending) {
      batch.add(NewEvent.builder(p.type()).eventId(Ids.newId(clock)).data(p.payload()).build());
    }
    String stream = OrderLog.streamOf(orderId);
    List<RecordedEvent> recorded =
        tx.inTransaction(
            c -> {
              try {
                return events
                    .append(c, stream, ExpectedVersion.exactly(expectedVersion), batch)
                    .events();
              } catch (WrongExpectedVersionException e) {
                throw new VersionConflict(
                    "append rejected: stream "
                        + stream
                        + " expected version "
                        + expectedVersion
                        + ", found "
                        + e.actual(),
                    e);
              } catch (ConcurrentAppendException e) {
                throw new VersionConflict(
                    "append rejected: stream "
                        + stream
                        + " version "
                        + e.version()
                        + " was written by a younger transaction; retry in a new transaction",
                    e);
              }
            });
    List<DomainEvent> out = new ArrayList<>(recorded.size());
    for (int i = 0; i < recorded.size(); i++) {
      RecordedEvent r = recorded.get(i);
      out.add(
          new DomainEvent(
              r.eventId(),
              r.type(),
              orderId.toString(),
              r.recordedAt(),
              r.version(),
              pending.get(i).payload()));
    }
    return out;
  }

  @Override
  public List<DomainEvent> stream(UUID orderId) {
    List<RecordedEvent> recorded =
        tx.read(c -> events.readStream(c, OrderLog.streamOf(orderId), 1, MAX_STREAM));
    List<DomainEvent> out = new ArrayList<>(recorded.size());
    for (RecordedEvent r : recorded) {
      out.add(toDomain(r));
    }
    return out;
  }

  @Override
  public List<Stored> after(LogPosition from, int limit) {
    List<RecordedEvent> recorded = tx.read(c -> events.readAll(c, from, limit, STREAM_PREFIX));
    List<Stored> out = new ArrayList<>(recorded.size());
    for (RecordedEvent r : recorded) {
      out.add(new Stored(r.logPosition(), toDomain(r)));
    }
    return out;
  }

  @Override
  public LogBacklog backlog(LogPosition from) {
    return tx.read(c -> events.backlog(c, from, STREAM_PREFIX));
  }

  private static DomainEvent toDomain(RecordedEvent r) {
    Map<String, Object> payload;
    try {
      payload = Json.mapper().readValue(r.data(), MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "event " + r.eventId() + " at " + r.logPosition() + " has an unreadable payload", e);
    }
    return new DomainEvent(
        r.eventId(),
        r.type(),
        r.stream().substring(STREAM_PREFIX.length()),
        r.recordedAt(),
        r.version(),
        payload);
  }
}
