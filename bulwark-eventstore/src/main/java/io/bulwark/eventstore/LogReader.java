package io.bulwark.eventstore;

import io.bulwark.eventstore.internal.EventStoreMetrics;
import io.bulwark.eventstore.internal.Upcasters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Owns the store's reads: one stream by version, the whole log (or the streams under a prefix) in
 * gap-free {@code (xid, position)} order up to the oldest running transaction (see {@link
 * PostgresEventStore}), the backlog after a position, and turning rows into upcast {@link
 * RecordedEvent}s. Arguments are checked by the store; failures leave as {@link SQLException}.
 */
final class LogReader {

  private static final String COLUMNS =
      "event_id, stream, version, position, xid::text as xid_text, type, schema_version,"
          + " data::text as data_text,"
          + " recorded_at, correlation_id, causation_id";

  private static final String READ_ALL =
      "select "
          + COLUMNS
          + " from eventstore_events"
          + " where (xid, position) > (?::text::xid8, ?)"
          + " and xid < pg_snapshot_xmin(pg_current_snapshot())"
          + " order by xid, position limit ?";

  private static final String READ_ALL_PREFIXED =
      "select "
          + COLUMNS
          + " from eventstore_events"
          + " where (xid, position) > (?::text::xid8, ?)"
          + " and xid < pg_snapshot_xmin(pg_current_snapshot())"
          + " and starts_with(stream, ?)"
          + " order by xid, position limit ?";

  private static final String READ_STREAM =
      "select "
          + COLUMNS
          + " from eventstore_events where stream = ? and version >= ?"
          + " order by version limit ?";

  /**
   * Committed events after a place ({@code later}), those of them a reader can read now ({@code
   * visible}), and the last of those.
   */
  private static final String BACKLOG =
      "with later as (select xid, position from eventstore_events where (xid, position) >"
          + " (?::text::xid8, ?) and starts_with(stream, ?)), visible as (select xid, position"
          + " from later where xid < pg_snapshot_xmin(pg_current_snapshot())) select (select"
          + " count(*) from visible), (select count(*) from later), last.xid::text, last.position"
          + " from (select 1) one left join (select xid, position from visible order by xid desc,"
          + " position desc limit 1) last on true";

  private final Upcasters upcasters;
  private final EventStoreMetrics metrics;

  LogReader(Upcasters upcasters, EventStoreMetrics metrics) {
    this.upcasters = upcasters;
    this.metrics = metrics;
  }

  /** Up to {@code max} events of {@code stream} from {@code fromVersion} on. */
  List<RecordedEvent> readStream(Connection connection, String stream, long fromVersion, int max)
      throws SQLException {
    try (PreparedStatement st = connection.prepareStatement(READ_STREAM)) {
      st.setString(1, stream);
      st.setLong(2, fromVersion);
      st.setInt(3, max);
      return readEvents(st);
    }
  }

  /** Up to {@code max} events of the log after {@code after}. */
  List<RecordedEvent> readAll(Connection connection, LogPosition after, int max)
      throws SQLException {
    try (PreparedStatement st = connection.prepareStatement(READ_ALL)) {
      st.setString(1, Long.toUnsignedString(after.transactionId()));
      st.setLong(2, after.position());
      st.setInt(3, max);
      return readEvents(st);
    }
  }

  /**
   * Up to {@code max} events of the streams starting with {@code streamPrefix} after {@code after}.
   */
  List<RecordedEvent> readAll(
      Connection connection, LogPosition after, int max, String streamPrefix) throws SQLException {
    try (PreparedStatement st = connection.prepareStatement(READ_ALL_PREFIXED)) {
      st.setString(1, Long.toUnsignedString(after.transactionId()));
      st.setLong(2, after.position());
      st.setString(3, streamPrefix);
      st.setInt(4, max);
      return readEvents(st);
    }
  }

  /** What is left to read after {@code after} in the streams starting with {@code streamPrefix}. */
  LogBacklog backlog(Connection connection, LogPosition after, String streamPrefix)
      throws SQLException {
    try (PreparedStatement st = connection.prepareStatement(BACKLOG)) {
      st.setString(1, Long.toUnsignedString(after.transactionId()));
      st.setLong(2, after.position());
      st.setString(3, streamPrefix);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        long readable = rs.getLong(1);
        long committed = rs.getLong(2);
        String xid = rs.getString(3);
        return new LogBacklog(
            readable,
            Math.max(0, committed - readable),
            xid == null ? after : new LogPosition(Long.parseUnsignedLong(xid), rs.getLong(4)));
      }
    }
  }

  private List<RecordedEvent> readEvents(PreparedStatement st) throws SQLException {
    List<RecordedEvent> events = new ArrayList<>();
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        events.add(
            upcasters.apply(
                new RecordedEvent(
                    rs.getObject(1, UUID.class),
                    rs.getString(2),
                    rs.getLong(3),
                    rs.getLong(4),
                    Long.parseUnsignedLong(rs.getString(5)),
                    rs.getString(6),
                    rs.getInt(7),
                    rs.getString(8),
                    rs.getTimestamp(9).toInstant(),
                    rs.getString(10),
                    rs.getString(11))));
      }
    }
    metrics.read(events.size());
    return events;
  }
}
