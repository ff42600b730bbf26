package io.bulwark.eventstore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.util.PSQLException;

/**
 * Owns the one {@code INSERT … SELECT} an append is (see {@link PostgresEventStore} for why it
 * guards the expected version and the stream's last writer): building it for one event, a batch in
 * {@code VALUES} rows or a large batch in arrays, binding it, and reading back the recorded events;
 * and how a lost race shows (the unique violation on {@code (stream, version)}).
 */
final class AppendStatement {

  private static final String INSERT =
      "insert into eventstore_events (event_id, stream, version, type, schema_version, data,"
          + " correlation_id, causation_id, recorded_at) ";

  /** Versions continue from the stream's last one (for {@link ExpectedVersion#ANY}). */
  private static final String LAST_VERSION =
      "(select coalesce(max(version), 0) from eventstore_events where stream = ?)";

  /**
   * The expected version exists and was written by this transaction or an older one, so this
   * transaction's events sort after it in {@code readAll}.
   */
  private static final String EXPECTED_EXISTS =
      " where exists (select 1 from eventstore_events where stream = ? and version = ?"
          + " and xid <= pg_current_xact_id())";

  /** The stream's last event (if any) was written by this transaction or an older one. */
  private static final String LAST_NOT_YOUNGER =
      " where coalesce((select xid from eventstore_events where stream = ?"
          + " order by version desc limit 1), '0'::xid8) <= pg_current_xact_id()";

  private static final String RETURNING = " returning event_id, position, xid::text, version";

  /** The unique index that makes two appends of the same version collide. */
  private static final String VERSION_KEY = "eventstore_events_stream_version_key";

  /**
   * Batches up to this size are sent as one multi-row {@code VALUES} (cheaper for the server than
   * parsing arrays); larger ones as arrays through {@code unnest}, to bound the statement size.
   */
  private static final int MAX_VALUES_ROWS = 64;

  private static final Map<Integer, String> VALUES_ROWS = new ConcurrentHashMap<>();

  private final Clock clock;

  AppendStatement(Clock clock) {
    this.clock = clock;
  }

  /** Inserts the events in one statement; null when the expected version does not exist. */
  AppendResult insert(Connection c, String stream, ExpectedVersion expected, List<NewEvent> events)
      throws SQLException {
    // PostgreSQL keeps microseconds: truncate so the result equals what readers get back.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    int n = events.size();
    boolean exact = !expected.isAny() && expected.value() > 0;
    String base = expected.isAny() ? LAST_VERSION : exact ? "?::bigint" : "0";
    String sql;
    if (n == 1) {
      sql = INSERT + "select ?, ?, " + base + " + 1, ?, ?, ?::json, ?, ?, ?";
    } else {
      sql =
          INSERT
              + "select e.id, ?, "
              + base
              + " + e.n, e.type, e.sv, e.data::json, e.corr, e.caus, ?"
              + (n <= MAX_VALUES_ROWS
                  ? " from (values " + valuesRows(n) + ") as e(id, n, type, sv, data, corr, caus)"
                  : " from unnest(?::uuid[], ?::text[], ?::int[], ?::text[], ?::text[],"
                      + " ?::text[]) with ordinality as e(id, type, sv, data, corr, caus, n)");
    }
    sql += (exact ? EXPECTED_EXISTS : expected.isAny() ? LAST_NOT_YOUNGER : "") + RETURNING;
    Map<UUID, long[]> written = new HashMap<>(n * 2);
    try (PreparedStatement st = c.prepareStatement(sql)) {
      int p = 1;
      if (n == 1) {
        st.setObject(p++, events.getFirst().eventId());
      }
      st.setString(p++, stream);
      if (expected.isAny()) {
        st.setString(p++, stream);
      } else if (exact) {
        st.setLong(p++, expected.value());
      }
      if (n == 1) {
        NewEvent e = events.getFirst();
        st.setString(p++, e.type());
        st.setInt(p++, e.schemaVersion());
        st.setString(p++, e.data());
        st.setString(p++, e.correlationId());
        st.setString(p++, e.causationId());
        st.setTimestamp(p++, Timestamp.from(now));
      } else {
        st.setTimestamp(p++, Timestamp.from(now));
        if (n <= MAX_VALUES_ROWS) {
          for (NewEvent e : events) {
            st.setObject(p++, e.eventId());
            st.setString(p++, e.type());
            st.setInt(p++, e.schemaVersion());
            st.setString(p++, e.data());
            st.setString(p++, e.correlationId());
            st.setString(p++, e.causationId());
          }
        } else {
          bindArrays(c, st, p, events);
          p += 6;
        }
      }
      if (exact) {
        st.setString(p++, stream);
        st.setLong(p, expected.value());
      } else if (expected.isAny()) {
        st.setString(p, stream);
      }
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          written.put(
              rs.getObject(1, UUID.class),
              new long[] {rs.getLong(2), Long.parseUnsignedLong(rs.getString(3)), rs.getLong(4)});
        }
      }
    }
    if (written.isEmpty()) {
      return null;
    }
    List<RecordedEvent> recorded = new ArrayList<>(n);
    for (NewEvent e : events) {
      long[] at = written.get(e.eventId());
      recorded.add(
          new RecordedEvent(
              e.eventId(),
              stream,
              at[2],
              at[0],
              at[1],
              e.type(),
              e.schemaVersion(),
              e.data(),
              now,
              e.correlationId(),
              e.causationId()));
    }
    return new AppendResult(stream, recorded.getLast().version(), recorded);
  }

  /** True for a unique violation of {@code (stream, version)}: another append took the version. */
  static boolean isVersionTaken(SQLException e) {
    if (!"23505".equals(e.getSQLState())) {
      return false;
    }
    if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null) {
      return VERSION_KEY.equals(pe.getServerErrorMessage().getConstraint());
    }
    return String.valueOf(e.getMessage()).contains(VERSION_KEY);
  }

  /** {@code (?::uuid, i, ?, ?::int, ?, ?, ?)} for i = 1..n, cached per n. */
  private static String valuesRows(int n) {
    return VALUES_ROWS.computeIfAbsent(
        n,
        count -> {
          StringBuilder rows = new StringBuilder();
          for (int i = 1; i <= count; i++) {
            rows.append(i == 1 ? "" : ", ").append("(?::uuid, ").append(i);
            rows.append(", ?, ?::int, ?, ?, ?)");
          }
          return rows.toString();
        });
  }

  private static void bindArrays(
      Connection c, PreparedStatement st, int from, List<NewEvent> events) throws SQLException {
    int n = events.size();
    UUID[] ids = new UUID[n];
    String[] types = new String[n];
    Integer[] schemaVersions = new Integer[n];
    String[] data = new String[n];
    String[] correlations = new String[n];
    String[] causations = new String[n];
    for (int i = 0; i < n; i++) {
      NewEvent e = events.get(i);
      ids[i] = e.eventId();
      types[i] = e.type();
      schemaVersions[i] = e.schemaVersion();
      data[i] = e.data();
      correlations[i] = e.correlationId();
      causations[i] = e.causationId();
    }
    st.setArray(from, c.createArrayOf("uuid", ids));
    st.setArray(from + 1, c.createArrayOf("text", types));
    st.setArray(from + 2, c.createArrayOf("int4", schemaVersions));
    st.setArray(from + 3, c.createArrayOf("text", data));
    st.setArray(from + 4, c.createArrayOf("text", correlations));
    st.setArray(from + 5, c.createArrayOf("text", causations));
  }

  /** The stream's last version, 0 when it has none. */
  static long currentVersion(Connection c, String stream) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "select coalesce(max(version), 0) from eventstore_events where stream = ?")) {
      st.setString(1, stream);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
