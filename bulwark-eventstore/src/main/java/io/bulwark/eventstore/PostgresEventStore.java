package io.bulwark.eventstore;

import io.bulwark.eventstore.internal.EventStoreMetrics;
import io.bulwark.eventstore.internal.Text;
import io.bulwark.eventstore.internal.Upcasters;
import io.bulwark.postgres.DataAccessException;
import io.bulwark.postgres.PostgresTransactions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.postgresql.util.PSQLException;

/**
 * The {@link EventStore} on PostgreSQL (table {@code eventstore_events}, migrations {@code
 * db/migration/eventstore}).
 *
 * <h2>Optimistic concurrency</h2>
 *
 * An append is one {@code INSERT … SELECT} (one round trip before the commit) of versions {@code
 * expected + 1 …}, guarded by the unique index on {@code (stream, version)}:
 *
 * <ul>
 *   <li>the stream moved past the expected version: the first new version already exists, the
 *       insert fails with a unique violation and is rolled back (to a savepoint on a caller's
 *       transaction, so that transaction stays usable);
 *   <li>the stream is behind the expected version: the insert's {@code WHERE EXISTS (version =
 *       expected)} selects no row and nothing is written;
 *   <li>two writers race for the same version: the second blocks on the first's uncommitted index
 *       entry and fails with the unique violation once the first commits (or succeeds if it rolls
 *       back), so exactly one wins;
 *   <li>{@link ExpectedVersion#ANY} reads the stream's last version in the same statement and
 *       retries on a race.
 * </ul>
 *
 * Both failures become a {@link WrongExpectedVersionException} naming the version found. No
 * per-stream row is written: an append costs the same rows and indexes as a plain insert of its
 * events.
 *
 * <p>The same statement also requires the stream's previous event to come from this transaction or
 * an older one (smaller transaction id), so a stream's events are in version order in {@link
 * #readAll}, which orders by transaction id. A transaction of the store's own always passes (it is
 * new, so its id is larger than that of any committed writer; a rare race is retried). A caller's
 * transaction that began writing before the stream's last writer gets a {@link
 * ConcurrentAppendException} and must retry, as after a version conflict.
 *
 * <h2>Gap-free reads of the whole log</h2>
 *
 * Global positions come from an identity column, allocated at insert time. Transactions commit in a
 * different order than they insert, so a reader that polled "position &gt; last seen" could skip an
 * event that a slow transaction commits later with a lower position. Instead every row stores the
 * id of the transaction that wrote it ({@code xid = pg_current_xact_id()}, an {@code xid8} that
 * never wraps) and {@link #readAll} orders by {@code (xid, position)} and only returns rows with
 * {@code xid < pg_snapshot_xmin(pg_current_snapshot())}: the oldest transaction still running when
 * the read's snapshot was taken. Every transaction below that bound has finished (its rows are
 * visible or rolled back for good), and every transaction that can still write has an xid at or
 * above it, so no row can ever appear before a position a reader has already passed. The price: a
 * long-running write transaction anywhere on the server holds back {@code readAll} (never {@link
 * #readStream}) until it ends.
 *
 * <p>Per-stream order needs no such care: version {@code v + 1} can only be written once version
 * {@code v} is visible (committed), so a stream's versions commit in order.
 *
 * <h2>Metrics</h2>
 *
 * {@code bulwark.eventstore.appends}, {@code .events.appended}, {@code .conflicts}, {@code
 * .events.read} and the timer {@code bulwark.eventstore.append.latency} on the registry given to
 * the builder. Appends on a caller's connection count when they are written, before the caller
 * commits, and their latency excludes the commit.
 */
public final class PostgresEventStore implements EventStore {

  private static final String COLUMNS =
      "event_id, stream, version, position, xid::text as xid_text, type, schema_version,"
          + " data::text as data_text,"
          + " recorded_at, correlation_id, causation_id";

  private static final String INSERT =
      "insert into eventstore_events (event_id, stream, version, type, schema_version, data,"
          + " correlation_id, causation_id, recorded_at) ";

  /** Versions continue from the stream's last one (for {@link ExpectedVersion#ANY}). */
  private static final String LAST_VERSION =
      "(select coalesce(max(version), 0) from eventstore_events where stream = ?)";

  /**
   * The expected version exists and was written by this transaction or an older one, so this
   * transaction's events sort after it in {@link #readAll}.
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

  private static final int RETRIES = 100;

  /**
   * Batches up to this size are sent as one multi-row {@code VALUES} (cheaper for the server than
   * parsing arrays); larger ones as arrays through {@code unnest}, to bound the statement size.
   */
  private static final int MAX_VALUES_ROWS = 64;

  private static final Map<Integer, String> VALUES_ROWS = new ConcurrentHashMap<>();

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

  private final PostgresTransactions transactions;
  private final Clock clock;
  private final boolean savepoints;
  private final Upcasters upcasters;
  private final EventStoreMetrics metrics;

  private PostgresEventStore(Builder b) {
    this.transactions = b.dataSource == null ? null : PostgresTransactions.of(b.dataSource);
    this.clock = b.clock;
    this.savepoints = b.savepoints;
    this.upcasters = new Upcasters(b.upcasters);
    this.metrics = new EventStoreMetrics(b.meterRegistry);
  }

  /** A builder for a store on {@code dataSource} (already migrated with "eventstore"). */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /**
   * A builder for a store used only on callers' connections: the methods that take a {@link
   * Connection} work, the others (which would open a connection of their own) throw {@link
   * IllegalStateException}. For code that always reads and writes in its own transactions.
   */
  public static Builder builder() {
    return new Builder(null);
  }

  private Connection connection() throws SQLException {
    return transactions().dataSource().getConnection();
  }

  private PostgresTransactions transactions() {
    if (transactions == null) {
      throw new IllegalStateException(
          "this event store has no DataSource (built with builder()): use the methods that take"
              + " a Connection");
    }
    return transactions;
  }

  @Override
  public AppendResult append(String stream, ExpectedVersion expected, List<NewEvent> events) {
    checkAppend(stream, expected, events);
    PostgresTransactions tx = transactions();
    long start = System.nanoTime();
    try {
      for (int attempt = 1; ; attempt++) {
        boolean last = attempt >= RETRIES;
        try {
          AppendResult result =
              tx.inNewTransaction(c -> appendOnce(c, stream, expected, events, last));
          metrics.appended(events.size(), System.nanoTime() - start);
          return result;
        } catch (LostRace race) {
          if (race.versionTaken && (!expected.isAny() || last)) {
            metrics.conflict();
            long current = tx.inNewTransaction(c -> currentVersion(c, stream));
            throw new WrongExpectedVersionException(stream, expected, current);
          }
          // a fresh transaction gets a fresh, larger transaction id
        }
      }
    } catch (DataAccessException e) {
      throw new StorageException("cannot append to stream " + stream, e);
    }
  }

  /**
   * One attempt of an append in a transaction of the store's own: the result, a conflict, or a
   * {@link LostRace} that a new transaction may win.
   */
  private AppendResult appendOnce(
      Connection c, String stream, ExpectedVersion expected, List<NewEvent> events, boolean last)
      throws SQLException {
    AppendResult result;
    try {
      result = insert(c, stream, expected, events);
    } catch (SQLException e) {
      if (isVersionTaken(e)) {
        throw new LostRace(true);
      }
      throw e;
    }
    if (result != null) {
      return result;
    }
    // Nothing was inserted: the expected version is missing, or the last event is younger.
    long current = currentVersion(c, stream);
    if (!expected.isAny() && current != expected.value()) {
      metrics.conflict();
      throw new WrongExpectedVersionException(stream, expected, current);
    }
    if (last) {
      metrics.conflict();
      throw new ConcurrentAppendException(stream, current);
    }
    throw new LostRace(false);
  }

  /** Another append took the version ({@code versionTaken}) or wrote the stream's last event. */
  private static final class LostRace extends RuntimeException {
    final boolean versionTaken;

    LostRace(boolean versionTaken) {
      super(null, null, false, false);
      this.versionTaken = versionTaken;
    }
  }

  @Override
  public AppendResult append(
      Connection transaction, String stream, ExpectedVersion expected, List<NewEvent> events) {
    Objects.requireNonNull(transaction, "transaction");
    checkAppend(stream, expected, events);
    long start = System.nanoTime();
    try {
      if (transaction.getAutoCommit()) {
        throw new IllegalArgumentException(
            "append on a caller's connection needs an open transaction (autoCommit=false)");
      }
      AppendResult result = write(transaction, stream, expected, events);
      metrics.appended(events.size(), System.nanoTime() - start);
      return result;
    } catch (SQLException e) {
      throw new StorageException("cannot append to stream " + stream, e);
    }
  }

  @Override
  public List<RecordedEvent> readStream(String stream, long fromVersion, int max) {
    checkStream(stream);
    checkMax(max);
    return onOwnConnection(
        "cannot read stream " + stream, c -> readStream(c, stream, fromVersion, max));
  }

  @Override
  public List<RecordedEvent> readStream(
      Connection connection, String stream, long fromVersion, int max) {
    Objects.requireNonNull(connection, "connection");
    checkStream(stream);
    checkMax(max);
    try (PreparedStatement st = connection.prepareStatement(READ_STREAM)) {
      st.setString(1, stream);
      st.setLong(2, fromVersion);
      st.setInt(3, max);
      return readEvents(st);
    } catch (SQLException e) {
      throw new StorageException("cannot read stream " + stream, e);
    }
  }

  @Override
  public long streamVersion(String stream) {
    checkStream(stream);
    return onOwnConnection(
        "cannot read the version of stream " + stream, c -> currentVersion(c, stream));
  }

  @Override
  public List<RecordedEvent> readAll(LogPosition after, int max) {
    Objects.requireNonNull(after, "after");
    checkMax(max);
    return onOwnConnection("cannot read the log after " + after, c -> readAll(c, after, max));
  }

  /** Work on a connection of the store's own. */
  @FunctionalInterface
  private interface OnConnection<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} on a pooled connection, turning a database failure into {@code failure}. */
  private <T> T onOwnConnection(String failure, OnConnection<T> work) {
    try (Connection c = connection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new StorageException(failure, e);
    }
  }

  @Override
  public List<RecordedEvent> readAll(Connection connection, LogPosition after, int max) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(after, "after");
    checkMax(max);
    try (PreparedStatement st = connection.prepareStatement(READ_ALL)) {
      st.setString(1, Long.toUnsignedString(after.transactionId()));
      st.setLong(2, after.position());
      st.setInt(3, max);
      return readEvents(st);
    } catch (SQLException e) {
      throw new StorageException("cannot read the log after " + after, e);
    }
  }

  @Override
  public List<RecordedEvent> readAll(
      Connection connection, LogPosition after, int max, String streamPrefix) {
    Objects.requireNonNull(streamPrefix, "streamPrefix");
    if (streamPrefix.isEmpty()) {
      return readAll(connection, after, max);
    }
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(after, "after");
    checkMax(max);
    try (PreparedStatement st = connection.prepareStatement(READ_ALL_PREFIXED)) {
      st.setString(1, Long.toUnsignedString(after.transactionId()));
      st.setLong(2, after.position());
      st.setString(3, streamPrefix);
      st.setInt(4, max);
      return readEvents(st);
    } catch (SQLException e) {
      throw new StorageException(
          "cannot read the streams " + streamPrefix + "* of the log after " + after, e);
    }
  }

  @Override
  public LogBacklog backlog(Connection connection, LogPosition after, String streamPrefix) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(after, "after");
    Objects.requireNonNull(streamPrefix, "streamPrefix");
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
    } catch (SQLException e) {
      throw new StorageException("cannot count the log after " + after, e);
    }
  }

  /**
   * Inserts the events in the caller's transaction; on a lost race undoes the attempt (back to a
   * savepoint, or the caller's whole transaction without savepoints) and retries ({@code ANY}, on a
   * savepoint) or throws the conflict.
   */
  private AppendResult write(
      Connection c, String stream, ExpectedVersion expected, List<NewEvent> events)
      throws SQLException {
    for (int attempt = 1; ; attempt++) {
      Savepoint savepoint = savepoints ? c.setSavepoint() : null;
      try {
        AppendResult result = insert(c, stream, expected, events);
        if (savepoint != null) {
          c.releaseSavepoint(savepoint);
        }
        if (result != null) {
          return result;
        }
      } catch (SQLException e) {
        if (!isVersionTaken(e)) {
          if (savepoint != null) {
            // Leave the caller's transaction usable, as if the append had not been tried.
            try {
              c.rollback(savepoint);
            } catch (SQLException rollback) {
              e.addSuppressed(rollback);
            }
          }
          throw e;
        }
        undo(c, savepoint);
        if (savepoint == null) {
          // The caller's whole transaction is gone: never retry its append in a new one.
          metrics.conflict();
          long current = currentVersion(c, stream);
          c.rollback();
          if (expected.isAny()) {
            throw new ConcurrentAppendException(stream, current, e);
          }
          throw new WrongExpectedVersionException(stream, expected, current, e);
        }
        if (expected.isAny() && attempt < RETRIES) {
          continue;
        }
        metrics.conflict();
        throw new WrongExpectedVersionException(stream, expected, currentVersion(c, stream), e);
      }
      // Nothing was inserted: the expected version is missing, or the last event is younger.
      long current = currentVersion(c, stream);
      metrics.conflict();
      if (!expected.isAny() && current != expected.value()) {
        throw new WrongExpectedVersionException(stream, expected, current);
      }
      throw new ConcurrentAppendException(stream, current);
    }
  }

  private static void undo(Connection c, Savepoint savepoint) throws SQLException {
    if (savepoint != null) {
      c.rollback(savepoint);
    } else {
      c.rollback();
    }
  }

  /** Inserts the events in one statement; null when the expected version does not exist. */
  private AppendResult insert(
      Connection c, String stream, ExpectedVersion expected, List<NewEvent> events)
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
  private static boolean isVersionTaken(SQLException e) {
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

  private static long currentVersion(Connection c, String stream) throws SQLException {
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

  private static void checkAppend(String stream, ExpectedVersion expected, List<NewEvent> events) {
    checkStream(stream);
    Objects.requireNonNull(expected, "expected");
    if (events == null || events.isEmpty()) {
      throw new IllegalArgumentException("events must not be empty (stream " + stream + ")");
    }
  }

  private static void checkStream(String stream) {
    Text.name("stream", stream, 200);
  }

  private static void checkMax(int max) {
    if (max < 1 || max > 10_000) {
      throw new IllegalArgumentException("max must be in 1..10000 but was " + max);
    }
  }

  /** Builds a {@link PostgresEventStore}; each method checks its value. */
  public static final class Builder {
    private final DataSource dataSource;
    private Clock clock = Clock.systemUTC();
    private boolean savepoints = true;
    private MeterRegistry meterRegistry = new SimpleMeterRegistry();
    private final List<Upcaster> upcasters = new ArrayList<>();

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * Whether an append on a caller's connection sets a savepoint first (default true), so that a
     * failed append (conflict or database error) leaves the caller's transaction usable. With false
     * an append costs two statements less (no {@code SAVEPOINT}, no {@code RELEASE}), and a failed
     * append leaves the caller's transaction rolled back (on a conflict) or aborted (on another
     * database error): for callers that roll back and retry after any failed append.
     */
    public Builder savepoints(boolean savepoints) {
      this.savepoints = savepoints;
      return this;
    }

    /** The clock for {@code recordedAt} (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where the store's meters go (default: a private registry nobody reads). */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /** Registers an upcaster applied on read; at most one per type and schema version. */
    public Builder upcaster(Upcaster upcaster) {
      upcasters.add(Objects.requireNonNull(upcaster, "upcaster"));
      return this;
    }

    /** The store. Throws if two upcasters share a type and schema version. */
    public PostgresEventStore build() {
      return new PostgresEventStore(this);
    }
  }
}
