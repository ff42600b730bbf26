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
 * expected-version appends, and a global position for projections. Appends take a transaction-level
 * advisory lock so positions become visible in order: a projection reading "after position p" never
 * skips an event that commits later with a smaller position.
 */
public final class OrderLog {

  private static final long APPEND_LOCK = 0x0B0A_0001L;
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final Clock clock;

  /** A log stamping events with {@code clock}. */
  public OrderLog(Clock clock) {
    this.clock = clock;
  }

  /** An event with its global position. */
  public record Stored(long position, DomainEvent event) {}

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
    try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
      ps.setLong(1, APPEND_LOCK);
      ps.execute();
    }
    int current;
    try (PreparedStatement ps =
        c.prepareStatement(
            "select coalesce(max(version), 0) from ordering_events where stream_id = ?")) {
      ps.setObject(1, orderId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        current = rs.getInt(1);
      }
    }
    if (current != expectedVersion) {
      throw new VersionConflict(
          "append rejected: stream order-"
              + orderId
              + " expected version "
              + expectedVersion
              + ", found "
              + current);
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
    }
    return stored;
  }

  /** Every event of {@code orderId}'s stream, oldest first. */
  public List<DomainEvent> stream(Connection c, UUID orderId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select position, stream_id, version, type, payload::text, occurred_at, id from"
                + " ordering_events where stream_id = ? order by version")) {
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

  /** Up to {@code limit} events after global {@code position}, in order. */
  public List<Stored> after(Connection c, long position, int limit) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select position, stream_id, version, type, payload::text, occurred_at, id from"
                + " ordering_events where position > ? order by position limit ?")) {
      ps.setLong(1, position);
      ps.setInt(2, limit);
      List<Stored> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    }
  }

  private Stored read(ResultSet rs) throws SQLException {
    Map<String, Object> payload;
    try {
      payload = Json.mapper().readValue(rs.getString(5), MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "event at position " + rs.getLong(1) + " has an unreadable payload", e);
    }
    return new Stored(
        rs.getLong(1),
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
