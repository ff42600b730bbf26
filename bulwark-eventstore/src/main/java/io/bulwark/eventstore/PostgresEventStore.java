package io.bulwark.eventstore;

import io.bulwark.eventstore.internal.EventStoreMetrics;
import io.bulwark.eventstore.internal.Text;
import io.bulwark.eventstore.internal.Upcasters;
import io.bulwark.postgres.PostgresTransactions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

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
 *
 * <h2>Parts</h2>
 *
 * This class checks arguments and owns the connections; {@link Appender} owns the concurrency of
 * appends, {@link AppendStatement} the insert itself, and {@link LogReader} the reads.
 */
public final class PostgresEventStore implements EventStore {

  private final PostgresTransactions transactions;
  private final Appender appender;
  private final LogReader reader;

  private PostgresEventStore(Builder b) {
    this.transactions = b.dataSource == null ? null : PostgresTransactions.of(b.dataSource);
    EventStoreMetrics metrics = new EventStoreMetrics(b.meterRegistry);
    this.appender = new Appender(new AppendStatement(b.clock), metrics, b.savepoints);
    this.reader = new LogReader(new Upcasters(b.upcasters), metrics);
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
    return appender.inOwnTransactions(transactions(), stream, expected, events);
  }

  @Override
  public AppendResult append(
      Connection transaction, String stream, ExpectedVersion expected, List<NewEvent> events) {
    Objects.requireNonNull(transaction, "transaction");
    checkAppend(stream, expected, events);
    try {
      if (transaction.getAutoCommit()) {
        throw new IllegalArgumentException(
            "append on a caller's connection needs an open transaction (autoCommit=false)");
      }
      return appender.inCallersTransaction(transaction, stream, expected, events);
    } catch (SQLException e) {
      throw new StorageException("cannot append to stream " + stream, e);
    }
  }

  @Override
  public List<RecordedEvent> readStream(String stream, long fromVersion, int max) {
    checkStream(stream);
    checkMax(max);
    return onOwnConnection(
        "cannot read stream " + stream, c -> reader.readStream(c, stream, fromVersion, max));
  }

  @Override
  public List<RecordedEvent> readStream(
      Connection connection, String stream, long fromVersion, int max) {
    Objects.requireNonNull(connection, "connection");
    checkStream(stream);
    checkMax(max);
    try {
      return reader.readStream(connection, stream, fromVersion, max);
    } catch (SQLException e) {
      throw new StorageException("cannot read stream " + stream, e);
    }
  }

  @Override
  public long streamVersion(String stream) {
    checkStream(stream);
    return onOwnConnection(
        "cannot read the version of stream " + stream,
        c -> AppendStatement.currentVersion(c, stream));
  }

  @Override
  public List<RecordedEvent> readAll(LogPosition after, int max) {
    Objects.requireNonNull(after, "after");
    checkMax(max);
    return onOwnConnection(
        "cannot read the log after " + after, c -> reader.readAll(c, after, max));
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
    try {
      return reader.readAll(connection, after, max);
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
    try {
      return reader.readAll(connection, after, max, streamPrefix);
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
    try {
      return reader.backlog(connection, after, streamPrefix);
    } catch (SQLException e) {
      throw new StorageException("cannot count the log after " + after, e);
    }
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
