package io.bulwark.postgres;

import io.bulwark.kernel.DatabaseFailures;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where read-only queries that tolerate slightly stale data run (the catalog's product list and
 * detail): either the primary's own pool, or a separate small read-only pool on a URL that prefers
 * a replica ({@code targetServerType=preferSecondary}), which pgjdbc falls back from to the primary
 * when no replica answers.
 *
 * <p>Every read says where it ran ({@link Result#source()}): on a separate pool it asks the server
 * it got ({@code pg_is_in_recovery()}) on the same connection, so the answer is true for that read
 * even while the pool moves between servers. A background sampler measures the apply lag the pool
 * sees ({@link #lagSeconds()}).
 *
 * <p>Not for read-your-writes: a synchronous standby has flushed an acknowledged commit, but may
 * not have applied it yet, so a client that reads right after writing may not see its write here.
 */
public final class ReadPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReadPool.class);

  /** Attempts of one read on a separate pool when its connection breaks (a replica stopping). */
  static final int ATTEMPTS = 3;

  private static final String SAMPLE =
      "select pg_is_in_recovery(), case when not pg_is_in_recovery()"
          + " or pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0"
          + " else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()), 0) end";

  /** Which kind of server answered a read. */
  public enum Source {
    /** The primary (no separate read pool, or no replica answered). */
    PRIMARY,
    /** A hot standby. */
    REPLICA;

    /** The value of the {@code X-Read-Source} header: {@code primary} or {@code replica}. */
    public String header() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A read's value and the server kind that answered it.
   *
   * @param value what the read returned
   * @param source where it ran
   */
  public record Result<T>(T value, Source source) {}

  private final Database pool;
  private final boolean separate;
  private final ScheduledExecutorService sampler;
  private volatile double lagSeconds;
  private volatile Source sampledSource = Source.PRIMARY;

  private ReadPool(Database pool, boolean separate, Duration sampleInterval) {
    this.pool = pool;
    this.separate = separate;
    if (separate) {
      sampler =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().name("bulwark-read-lag").daemon().factory());
      long every = sampleInterval.toMillis();
      sampler.scheduleWithFixedDelay(this::sample, 0, every, TimeUnit.MILLISECONDS);
    } else {
      sampler = null;
    }
  }

  /** Reads on {@code primary}'s pool; every read's source is {@link Source#PRIMARY}. */
  public static ReadPool onPrimary(Database primary) {
    return new ReadPool(Objects.requireNonNull(primary, "primary"), false, Duration.ZERO);
  }

  /**
   * Reads on {@code readOnlyPool}, a pool of their own (see {@link Database#connectReadOnly}) that
   * this closes; its lag is sampled every {@code sampleInterval}.
   *
   * @throws IllegalArgumentException when {@code sampleInterval} is not positive
   */
  public static ReadPool separate(Database readOnlyPool, Duration sampleInterval) {
    Objects.requireNonNull(readOnlyPool, "readOnlyPool");
    if (sampleInterval.isNegative() || sampleInterval.isZero()) {
      throw new IllegalArgumentException(
          "sampleInterval must be positive but was " + sampleInterval);
    }
    return new ReadPool(readOnlyPool, true, sampleInterval);
  }

  /** Whether reads go to a pool of their own (else to the primary's). */
  public boolean separate() {
    return separate;
  }

  /** The pool the reads use. */
  public Database database() {
    return pool;
  }

  /**
   * Runs {@code work} on a connection of this pool and says where it ran. On a separate pool a read
   * whose connection breaks (the replica stopped under it) is tried again on a new connection, up
   * to {@value #ATTEMPTS} times, after the pool retired its other connections (they went to the
   * same server); pgjdbc then skips the stopped replica and answers from the primary.
   *
   * @throws DataAccessException the database failed (after the retries)
   */
  public <T> Result<T> read(PostgresTransactions.Work<T> work) {
    Objects.requireNonNull(work, "work");
    for (int attempt = 1; ; attempt++) {
      try (Connection c = pool.dataSource().getConnection()) {
        Source source = separate ? sourceOf(c) : Source.PRIMARY;
        return new Result<>(work.run(c), source);
      } catch (SQLException e) {
        if (!separate || attempt >= ATTEMPTS || !lostServer(e)) {
          throw new DataAccessException("read on pool " + pool.pool().getPoolName() + " failed", e);
        }
        // a stopped replica broke every connection to it, not only this one: open new ones
        pool.pool().getHikariPoolMXBean().softEvictConnections();
        log.debug("read attempt {} lost its connection; retrying", attempt, e);
      }
    }
  }

  /**
   * The replica's apply lag as the read pool last saw it, in seconds: {@code now() -
   * pg_last_xact_replay_timestamp()} while the replica has received WAL it has not replayed yet, 0
   * once it has replayed all it received, and 0 when the pool is on the primary.
   */
  public double lagSeconds() {
    return lagSeconds;
  }

  /** Where the last lag sample ran ({@link Source#PRIMARY} before the first). */
  public Source sampledSource() {
    return sampledSource;
  }

  /** Stops the sampler and closes a separate pool; the primary's pool is left to its owner. */
  @Override
  public void close() {
    if (separate) {
      sampler.shutdownNow();
      pool.close();
    }
  }

  private void sample() {
    try (Connection c = pool.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(SAMPLE)) {
      rs.next();
      sampledSource = rs.getBoolean(1) ? Source.REPLICA : Source.PRIMARY;
      lagSeconds = rs.getDouble(2);
    } catch (SQLException | RuntimeException e) {
      // the next sample tries again; the gauges keep the last value meanwhile
      log.debug("cannot sample the read pool's lag", e);
    }
  }

  /**
   * Whether the server went away under the read; not a write refused as read-only (25006), which on
   * this pool is a bug in the read, not a server that just became a standby.
   */
  private static boolean lostServer(SQLException e) {
    return DatabaseFailures.unavailable(e) && !"25006".equals(DataAccessException.sqlState(e));
  }

  private static Source sourceOf(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_is_in_recovery()")) {
      rs.next();
      return rs.getBoolean(1) ? Source.REPLICA : Source.PRIMARY;
    }
  }
}
