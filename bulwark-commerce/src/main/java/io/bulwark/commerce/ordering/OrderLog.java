package io.bulwark.commerce.ordering;

import static io.bulwark.commerce.internal.Transactions.ts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.kernel.Ids;
import io.bulwark.kernel.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The ordering context's append-only event log in PostgreSQL: one stream per order with
 * expected-version appends, and a global order for projections.
 *
 * <h2>Gap-free reads of the whole log without a global lock</h2>
 *
 * Positions come from a sequence, allocated at insert time, and transactions commit in another
 * order than they insert: a reader that polled "position &gt; last seen" could skip an event that a
 * slow transaction commits later with a smaller position. So every row also stores the id of the
 * transaction that wrote it ({@code xid = pg_current_xact_id()}, an {@code xid8} that never wraps),
 * and {@link #after} orders by {@link Position (xid, position)} and only returns rows with {@code
 * xid < pg_snapshot_xmin(pg_current_snapshot())}, the oldest transaction still running. Every
 * transaction below that bound has ended, and every transaction that can still write has an xid at
 * or above it, so no event can ever appear before a position a reader has passed. This is the
 * scheme of the shared event store ({@code PostgresEventStore}). The price: a long-running write
 * transaction anywhere on the PostgreSQL server holds back {@link #after} (never {@link #stream})
 * until it ends.
 *
 * <h2>A stream's events stay in version order</h2>
 *
 * Reading by transaction id keeps a stream's versions in order only if the writer of version {@code
 * v + 1} has a larger transaction id than the writer of {@code v}. Ordering's writers do: an order
 * is placed (version 1) in the transaction that creates its saga row, and every later event is
 * appended by the saga in a transaction whose first write is the update of that saga row guarded by
 * the lease token the worker claimed in an earlier, committed transaction; the previous appender
 * cleared the token in the same transaction as its append, so the next appender's claim, and so its
 * transaction and id, come after that append committed. {@link #append} still checks it (and the
 * expected version) and throws {@link VersionConflict} rather than write a stream out of order.
 */
public final class OrderLog {

  private static final String COLUMNS =
      "select position, stream_id, version, type, payload::text, occurred_at, id, xid::text from"
          + " ordering_events";
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private static final String UNIQUE_VIOLATION = "23505";

  private final Clock clock;

  /** A log stamping events with {@code clock}. */
  public OrderLog(Clock clock) {
    this.clock = clock;
  }

  /**
   * A place in the log's global order: the writing transaction's id, then the position within it.
   * {@link #START} is before every event.
   *
   * @param xid the id of the transaction that wrote the event ({@code xid8}; 0 at the start)
   * @param position the event's global position (allocated at insert, unique)
   */
  public record Position(long xid, long position) implements Comparable<Position> {

    /** Before the first event. */
    public static final Position START = new Position(0, 0);

    /** Fails fast on a negative part. */
    public Position {
      if (xid < 0) {
        throw new IllegalArgumentException("xid must be >= 0 but was " + xid);
      }
      if (position < 0) {
        throw new IllegalArgumentException("position must be >= 0 but was " + position);
      }
    }

    @Override
    public int compareTo(Position o) {
      int c = Long.compare(xid, o.xid);
      return c != 0 ? c : Long.compare(position, o.position);
    }

    /** {@code position 42 (transaction 1234)}. */
    @Override
    public String toString() {
      return "position " + position + " (transaction " + xid + ")";
    }
  }

  /** An event with its place in the log's global order. */
  public record Stored(Position at, DomainEvent event) {}

  /** A new event to append. */
  public record Pending(String type, Map<String, Object> payload) {}

  /**
   * Appends {@code events} to {@code orderId}'s stream within the caller's transaction.
   *
   * @return the events as stored, to publish once the transaction commits
   * @throws VersionConflict when the stream is not at {@code expectedVersion}
   */
  public List<DomainEvent> append(
      Connection c, UUID orderId, int expectedVersion, List<Pending> events) throws SQLException {
    int current = 0;
    boolean lastWriterYounger = false;
    try (PreparedStatement ps =
        c.prepareStatement(
            "select version, xid > pg_current_xact_id() from ordering_events where stream_id = ?"
                + " order by version desc limit 1")) {
      ps.setObject(1, orderId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          current = rs.getInt(1);
          lastWriterYounger = rs.getBoolean(2);
        }
      }
    }
    if (current != expectedVersion) {
      throw conflict(orderId, expectedVersion, current);
    }
    if (lastWriterYounger) {
      throw new VersionConflict(
          "append rejected: stream order-"
              + orderId
              + " version "
              + current
              + " was written by a younger transaction; retry in a new transaction");
    }
    Instant now = clock.instant();
    List<DomainEvent> stored = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into ordering_events (id, stream_id, version, type, payload, occurred_at)"
                + " values (?,?,?,?,?::jsonb,?)")) {
      int v = expectedVersion;
      for (Pending e : events) {
        UUID id = Ids.newId(clock);
        stored.add(new DomainEvent(id, e.type(), orderId.toString(), now, v + 1, e.payload()));
        ps.setObject(1, id);
        ps.setObject(2, orderId);
        ps.setInt(3, ++v);
        ps.setString(4, e.type());
        ps.setString(5, Json.write(e.payload()));
        ps.setTimestamp(6, ts(now));
        ps.addBatch();
      }
      ps.executeBatch();
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())
          || (e.getNextException() != null
              && UNIQUE_VIOLATION.equals(e.getNextException().getSQLState()))) {
        // another transaction appended the same version after our check and committed first
        throw conflict(orderId, expectedVersion, expectedVersion + 1, e);
      }
      throw e;
    }
    return stored;
  }

  private static VersionConflict conflict(UUID orderId, int expected, int found) {
    return conflict(orderId, expected, found, null);
  }

  private static VersionConflict conflict(
      UUID orderId, int expected, int found, SQLException cause) {
    VersionConflict e =
        new VersionConflict(
            "append rejected: stream order-"
                + orderId
                + " expected version "
                + expected
                + ", found "
                + (cause == null ? String.valueOf(found) : "at least " + found));
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  /** Every event of {@code orderId}'s stream, oldest first. */
  public List<DomainEvent> stream(Connection c, UUID orderId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(COLUMNS + " where stream_id = ? order by version")) {
      ps.setObject(1, orderId);
      List<DomainEvent> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs).event());
        }
      }
      return out;
    }
  }

  /**
   * Up to {@code limit} events after {@code from} in the log's global order, only from transactions
   * that ended before every transaction still running (see the class comment), so a reader that
   * continues after the last event returned never misses one.
   */
  public List<Stored> after(Connection c, Position from, int limit) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            COLUMNS
                + " where (xid, position) > (?::text::xid8, ?) and xid <"
                + " pg_snapshot_xmin(pg_current_snapshot()) order by xid, position limit ?")) {
      ps.setString(1, Long.toString(from.xid()));
      ps.setLong(2, from.position());
      ps.setInt(3, limit);
      List<Stored> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    }
  }

  /**
   * What a reader continuing after {@code from} would get now: how many events and the last of them
   * ({@code from} when none), and how many committed events after {@code from} it cannot read yet
   * because a transaction older than theirs is still running; counted in the database without
   * reading the events.
   */
  public Backlog backlog(Connection c, Position from) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "with later as (select xid, position from ordering_events where (xid, position) >"
                + " (?::text::xid8, ?)), visible as (select xid, position from later where xid <"
                + " pg_snapshot_xmin(pg_current_snapshot())) select (select count(*) from"
                + " visible), (select count(*) from later), last.xid::text, last.position from"
                + " (select 1) one left join (select xid, position from visible order by xid desc,"
                + " position desc limit 1) last on true")) {
      ps.setString(1, Long.toString(from.xid()));
      ps.setLong(2, from.position());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long count = rs.getLong(1);
        long committed = rs.getLong(2);
        String xid = rs.getString(3);
        return new Backlog(
            count,
            Math.max(0, committed - count),
            xid == null ? from : new Position(Long.parseLong(xid), rs.getLong(4)));
      }
    }
  }

  /**
   * Events a reader can read after some place in the log.
   *
   * @param events how many
   * @param heldBack committed events after the place that a reader cannot read yet, because a
   *     transaction older than theirs is still running
   * @param last the last readable one, or the place itself when there are none
   */
  public record Backlog(long events, long heldBack, Position last) {}

  private Stored read(ResultSet rs) throws SQLException {
    Map<String, Object> payload;
    try {
      payload = Json.mapper().readValue(rs.getString(5), MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "event at position " + rs.getLong(1) + " has an unreadable payload", e);
    }
    return new Stored(
        new Position(Long.parseLong(rs.getString(8)), rs.getLong(1)),
        new DomainEvent(
            rs.getObject(7, UUID.class),
            rs.getString(4),
            rs.getObject(2, UUID.class).toString(),
            rs.getTimestamp(6).toInstant(),
            rs.getInt(3),
            payload));
  }

  /** Another writer appended to the stream first. */
  public static final class VersionConflict extends RuntimeException {
    VersionConflict(String message) {
      super(message);
    }
  }
}
