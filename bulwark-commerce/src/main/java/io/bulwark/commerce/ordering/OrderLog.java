package io.bulwark.commerce.ordering;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.bulwark.commerce.events.DomainEvent;
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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The ordering context's events, kept in the shared {@link EventStore}: one stream per order, named
 * {@code order-<uuid>}, with expected-version appends in the caller's transaction, and the whole
 * log in commit order for projections.
 *
 * <h2>Gap-free reads in commit order</h2>
 *
 * {@link #after} reads the event store's {@link EventStore#readAll(Connection, LogPosition, int,
 * String) readAll} restricted to the {@code order-} streams: events in {@link LogPosition
 * (transaction id, position)} order, and only those of transactions that ended before every
 * transaction still running, so a reader that continues after the last event it got never misses
 * one that commits late. The price: a long-running write transaction anywhere on the PostgreSQL
 * server holds back {@link #after} (never {@link #stream}) until it ends.
 *
 * <h2>A stream's events stay in version order</h2>
 *
 * Reading by transaction id keeps a stream's versions in order only if the writer of version {@code
 * v + 1} has a larger transaction id than the writer of {@code v}; the event store refuses an
 * append on a caller's transaction that would break this ({@link ConcurrentAppendException}), and
 * {@link #append} turns that, like a wrong expected version, into a {@link VersionConflict}: the
 * caller rolls back and retries.
 */
public final class OrderLog {

  /** Every order's stream name starts with this, followed by the order id. */
  public static final String STREAM_PREFIX = "order-";

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final int MAX_STREAM = 10_000;

  private final EventStore events;
  private final Clock clock;

  /**
   * A log in {@code events}, giving events ids from {@code clock}. After a {@link VersionConflict}
   * the caller's transaction is usable or rolled back, depending on how {@code events} appends;
   * either way the caller rolls back.
   */
  public OrderLog(EventStore events, Clock clock) {
    this.events = Objects.requireNonNull(events, "events");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A log in the PostgreSQL event store's tables through a {@link PostgresEventStore} of its own,
   * used only on callers' connections, stamping events with {@code clock} and counting on {@code
   * registry} ({@code bulwark.eventstore.*}). Its appends set no savepoint (two statements less per
   * append), so after a {@link VersionConflict} the caller's transaction has been rolled back;
   * every caller rolls back and retries after a conflict anyway.
   */
  public OrderLog(Clock clock, MeterRegistry registry) {
    this(
        PostgresEventStore.builder().clock(clock).meterRegistry(registry).savepoints(false).build(),
        clock);
  }

  /** As {@link #OrderLog(Clock, MeterRegistry)}, counting on a registry nobody reads. */
  public OrderLog(Clock clock) {
    this(clock, new SimpleMeterRegistry());
  }

  /** The stream of {@code orderId}: {@code order-<uuid>}. */
  public static String streamOf(UUID orderId) {
    return STREAM_PREFIX + orderId;
  }

  /** An event with its place in the log's commit order. */
  public record Stored(LogPosition at, DomainEvent event) {}

  /** A new event to append. */
  public record Pending(String type, Map<String, Object> payload) {}

  /**
   * Appends {@code events} to {@code orderId}'s stream within the caller's transaction (on a
   * connection in auto-commit mode, in a transaction of its own, committed before this returns).
   *
   * @return the events as stored, to publish once the transaction commits
   * @throws VersionConflict when the stream is not at {@code expectedVersion}, or its last event
   *     was written by a transaction younger than the caller's; roll back and retry
   */
  public List<DomainEvent> append(
      Connection c, UUID orderId, int expectedVersion, List<Pending> pending) throws SQLException {
    List<NewEvent> batch = new ArrayList<>(pending.size());
    for (Pending p : pending) {
      batch.add(NewEvent.builder(p.type()).eventId(Ids.newId(clock)).data(p.payload()).build());
    }
    String stream = streamOf(orderId);
    boolean autoCommit = c.getAutoCommit();
    if (autoCommit) {
      c.setAutoCommit(false);
    }
    List<RecordedEvent> recorded;
    try {
      recorded = events.append(c, stream, ExpectedVersion.exactly(expectedVersion), batch).events();
      if (autoCommit) {
        c.commit();
      }
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
    } finally {
      if (autoCommit) {
        try {
          c.rollback(); // nothing left to undo after a commit; undoes a failed attempt
        } finally {
          c.setAutoCommit(true);
        }
      }
    }
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

  /** Every event of {@code orderId}'s stream, oldest first, as the caller's transaction sees it. */
  public List<DomainEvent> stream(Connection c, UUID orderId) throws SQLException {
    List<RecordedEvent> recorded = events.readStream(c, streamOf(orderId), 1, MAX_STREAM);
    List<DomainEvent> out = new ArrayList<>(recorded.size());
    for (RecordedEvent r : recorded) {
      out.add(toDomain(r));
    }
    return out;
  }

  /**
   * Up to {@code limit} order events after {@code from} in the log's commit order, only from
   * transactions that ended before every transaction still running (see the class comment), so a
   * reader that continues after the last event returned never misses one.
   */
  public List<Stored> after(Connection c, LogPosition from, int limit) {
    List<RecordedEvent> recorded = events.readAll(c, from, limit, STREAM_PREFIX);
    List<Stored> out = new ArrayList<>(recorded.size());
    for (RecordedEvent r : recorded) {
      out.add(new Stored(r.logPosition(), toDomain(r)));
    }
    return out;
  }

  /**
   * What a reader continuing after {@code from} would get now: how many order events, how many it
   * cannot read yet because a transaction older than theirs is still running, and the last readable
   * one; counted in the database without reading the events.
   */
  public LogBacklog backlog(Connection c, LogPosition from) {
    return events.backlog(c, from, STREAM_PREFIX);
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

  /** Another writer appended to the stream first; roll back and retry. */
  public static final class VersionConflict extends RuntimeException {
    VersionConflict(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
