package io.bulwark.postgres;

import io.bulwark.kernel.Check;
import io.bulwark.kernel.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way Bulwark runs work in a PostgreSQL transaction: on a pooled connection, committed when
 * the work returns, rolled back when it throws (the work's exception propagates unchanged, with any
 * rollback failure added as suppressed; a database failure becomes a {@link DataAccessException}
 * that chains it).
 *
 * <ul>
 *   <li><b>Retries.</b> A transaction that fails with a serialization failure ({@code 40001}) or a
 *       deadlock ({@code 40P01}), anywhere in its cause chain, is rolled back and run again from
 *       the start, up to {@link Builder#attempts} times, after a jittered back-off that doubles
 *       each time up to a bound ({@link Builder#backoff}). An interrupt stops the retrying: the
 *       flag stays set and the failure is thrown.
 *   <li><b>One transaction per thread and database.</b> The transaction is bound to the calling
 *       thread while its work runs: {@link #inTransaction} and {@link #read} calls made inside it
 *       (by this instance or any other on the same {@link DataSource}) join it instead of opening
 *       another, so stores called by a domain service share the service's transaction. Work that
 *       joined and failed dooms the transaction even if its caller catches the failure.
 *   <li><b>Savepoints.</b> {@link #nested} runs work that may fail on its own behind a savepoint: a
 *       failure rolls back only that work and the transaction goes on.
 *   <li><b>After-commit actions.</b> {@link #afterCommit} defers an action (publishing an event,
 *       waking a worker) until the transaction has committed: it never runs after a rollback, and
 *       runs once even when the work was retried. Actions of nested work that rolled back to its
 *       savepoint are dropped.
 *   <li><b>Someone else's transaction.</b> {@link #joining} binds a transaction that a caller owns
 *       (an engine's step, say) to the thread, so that work inside joins it as above.
 *   <li><b>Single statements.</b> {@link #update}, {@link #updateFirst}, {@link #query} and {@link
 *       #queryFirst} run one statement with its parameters bound, the way the methods above run
 *       work: what stores need for most of their calls.
 * </ul>
 *
 * <pre>{@code
 * PostgresTransactions tx = PostgresTransactions.of(dataSource);
 * Order placed = tx.inTransaction(c -> { ...; tx.afterCommit(() -> bus.publish(event)); return o; });
 * }</pre>
 */
public final class PostgresTransactions implements Transactions {

  private static final Logger log = LoggerFactory.getLogger(PostgresTransactions.class);

  /** The innermost transaction bound to this thread; frames of other data sources sit below. */
  private static final ThreadLocal<Frame> CURRENT = new ThreadLocal<>();

  private final DataSource dataSource;
  private final int attempts;
  private final long firstBackoffNanos;
  private final long maxBackoffNanos;
  private final Isolation isolation;

  /** Work on a connection inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    /** Does the work; any exception rolls the transaction back. */
    T run(Connection connection) throws SQLException;
  }

  /** One row of a result set as a value. */
  @FunctionalInterface
  public interface Row<T> {
    /** The value of the row {@code rs} is on; do not move the cursor. */
    T map(ResultSet rs) throws SQLException;
  }

  /** Transaction isolation levels; PostgreSQL's default is {@link #READ_COMMITTED}. */
  public enum Isolation {
    READ_COMMITTED("read committed"),
    REPEATABLE_READ("repeatable read"),
    SERIALIZABLE("serializable");

    private final String sql;

    Isolation(String sql) {
      this.sql = sql;
    }
  }

  private PostgresTransactions(Builder b) {
    this.dataSource = b.dataSource;
    this.attempts = b.attempts;
    this.firstBackoffNanos = b.firstBackoff.toNanos();
    this.maxBackoffNanos = b.maxBackoff.toNanos();
    this.isolation = b.isolation;
  }

  /** Transactions on {@code dataSource} with the defaults of {@link Builder}. */
  public static PostgresTransactions of(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /** A builder for transactions on {@code dataSource}. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** The data source whose connections this runs on. */
  public DataSource dataSource() {
    return dataSource;
  }

  // ---------------------------------------------------------------- on a connection

  /**
   * Runs {@code work} in the transaction this thread has open on this data source, or else in a new
   * one that commits before this returns (retried as the class comment says).
   *
   * @throws DataAccessException the database failed (the SQL state says how)
   */
  public <T> T inTransaction(Work<T> work) {
    Objects.requireNonNull(work, "work");
    Frame open = current();
    return open == null ? begin(work) : joined(open, work);
  }

  /**
   * Runs {@code work} in a transaction of its own that commits before this returns, even when this
   * thread has one open on this data source (that one waits, unchanged; its own after-commit
   * actions still wait for its commit). Calls inside {@code work} join the new transaction.
   *
   * @throws DataAccessException the database failed
   */
  public <T> T inNewTransaction(Work<T> work) {
    return begin(Objects.requireNonNull(work, "work"));
  }

  /**
   * Runs {@code work} behind a savepoint of the transaction open on this thread: when it throws,
   * its changes and the after-commit actions it registered are undone and the exception propagates,
   * while the transaction stays usable. Without an open transaction, this is {@link
   * #inTransaction(Work)}.
   *
   * @throws DataAccessException the database failed
   */
  public <T> T nested(Work<T> work) {
    Objects.requireNonNull(work, "work");
    Frame open = current();
    return open == null ? begin(work) : savepoint(open, work);
  }

  /**
   * Runs {@code work} on the connection of the transaction open on this thread (so it sees that
   * transaction's changes), or else on a pooled connection in auto-commit mode: for reads and
   * single statements, never retried.
   *
   * @throws DataAccessException the database failed
   */
  public <T> T read(Work<T> work) {
    Objects.requireNonNull(work, "work");
    Frame open = current();
    if (open != null) {
      return joined(open, work);
    }
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new DataAccessException("database read failed", e);
    }
  }

  /**
   * Runs {@code work} with {@code transaction}, a connection whose open transaction the caller owns
   * (auto-commit off), bound to this thread: {@link #inTransaction}, {@link #read} and {@link
   * #nested} calls inside join it. Its after-commit actions go to {@code afterCommit} once {@code
   * work} succeeds (the owner runs them when it commits), or run at once when that is null. This
   * neither commits nor rolls back; when work that joined failed and its failure was caught, this
   * throws, so that the owner rolls back.
   *
   * @throws IllegalArgumentException the connection is in auto-commit mode
   */
  public <T> T joining(Connection transaction, Consumer<Runnable> afterCommit, Supplier<T> work) {
    Objects.requireNonNull(transaction, "transaction");
    Objects.requireNonNull(work, "work");
    try {
      if (transaction.getAutoCommit()) {
        throw new IllegalArgumentException(
            "joining needs a connection with an open transaction (autoCommit=false)");
      }
    } catch (SQLException e) {
      throw new DataAccessException("cannot use the caller's connection", e);
    }
    Frame frame = push(transaction);
    T result;
    try {
      result = work.get();
      frame.scope.throwIfDoomed();
    } finally {
      pop(frame);
    }
    for (Runnable action : frame.actions) {
      if (afterCommit == null) {
        runQuietly(action);
      } else {
        afterCommit.accept(action);
      }
    }
    return result;
  }

  // ---------------------------------------------------------------- single statements

  /**
   * Runs one writing statement in the transaction open on this thread (or one of its own, like
   * {@link #inTransaction(Work)}), with {@code params} bound in order: an {@link Instant} as a
   * timestamp, a {@link Collection} as a {@code text[]}, null as a null of the type the statement
   * needs, anything else as the driver maps it.
   *
   * @return the number of rows changed
   */
  public int update(String sql, Object... params) {
    return inTransaction(
        c -> {
          try (PreparedStatement ps = prepare(c, sql, params)) {
            return ps.executeUpdate();
          }
        });
  }

  /**
   * As {@link #update}, for a statement that returns rows ({@code update … returning}, {@code
   * select … for update}): the first row, if any.
   */
  public <T> Optional<T> updateFirst(String sql, Row<T> row, Object... params) {
    return inTransaction(c -> first(c, sql, row, params));
  }

  /**
   * Runs one query as {@link #read} does, binding {@code params} as {@link #update} does.
   *
   * @return every row, in order
   */
  public <T> List<T> query(String sql, Row<T> row, Object... params) {
    return read(
        c -> {
          try (PreparedStatement ps = prepare(c, sql, params);
              ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
              out.add(row.map(rs));
            }
            return out;
          }
        });
  }

  /** As {@link #query}: the first row, if any. */
  public <T> Optional<T> queryFirst(String sql, Row<T> row, Object... params) {
    return read(c -> first(c, sql, row, params));
  }

  private static <T> Optional<T> first(Connection c, String sql, Row<T> row, Object... params)
      throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, params);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(row.map(rs)) : Optional.empty();
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... params)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        if (p instanceof Instant instant) {
          ps.setTimestamp(i + 1, Timestamp.from(instant));
        } else if (p instanceof Collection<?> values) {
          ps.setArray(i + 1, c.createArrayOf("text", values.toArray()));
        } else {
          ps.setObject(i + 1, p);
        }
      }
      return ps;
    } catch (SQLException | RuntimeException e) {
      try {
        ps.close();
      } catch (SQLException close) {
        e.addSuppressed(close);
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- for domain code

  @Override
  public <T> T inTransaction(Supplier<T> work) {
    Objects.requireNonNull(work, "work");
    return inTransaction(c -> work.get());
  }

  @Override
  public <T> T nested(Supplier<T> work) {
    Objects.requireNonNull(work, "work");
    return nested(c -> work.get());
  }

  @Override
  public void afterCommit(Runnable action) {
    Objects.requireNonNull(action, "action");
    Frame open = current();
    if (open == null) {
      runQuietly(action);
    } else {
      open.actions.add(action);
    }
  }

  /** Whether this thread has a transaction open (or joined) on this data source. */
  public boolean active() {
    return current() != null;
  }

  // ---------------------------------------------------------------- machinery

  /** A transaction bound to a thread. */
  private static final class Frame {
    final DataSource dataSource;
    final Connection connection;
    final Frame below;
    final List<Runnable> actions = new ArrayList<>();
    Scope scope = new Scope(null);

    /** The last failure of nested work already undone to its savepoint: it dooms nothing. */
    Throwable undone;

    Frame(DataSource dataSource, Connection connection, Frame below) {
      this.dataSource = dataSource;
      this.connection = connection;
      this.below = below;
    }
  }

  /**
   * The transaction, or a savepoint inside it: what can still be undone as one. A failure of work
   * that joined it dooms it.
   */
  private static final class Scope {
    final Scope outer;
    Throwable doomedBy;

    Scope(Scope outer) {
      this.outer = outer;
    }

    void doom(Throwable failure) {
      if (doomedBy == null) {
        doomedBy = failure;
      }
    }

    void throwIfDoomed() {
      if (doomedBy != null) {
        throw new IllegalStateException(
            "rolled back: work in this transaction failed and its failure was caught, so the"
                + " transaction cannot commit; use nested work for a part that may fail on its own: "
                + doomedBy,
            doomedBy);
      }
    }
  }

  private Frame current() {
    for (Frame f = CURRENT.get(); f != null; f = f.below) {
      if (f.dataSource == dataSource) {
        return f;
      }
    }
    return null;
  }

  private Frame push(Connection c) {
    Frame frame = new Frame(dataSource, c, CURRENT.get());
    CURRENT.set(frame);
    return frame;
  }

  private static void pop(Frame frame) {
    if (CURRENT.get() != frame) {
      throw new IllegalStateException("transactions were not closed in the order they opened");
    }
    if (frame.below == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(frame.below);
    }
  }

  private static <T> T joined(Frame open, Work<T> work) {
    try {
      return work.run(open.connection);
    } catch (SQLException e) {
      DataAccessException failure = new DataAccessException("database statement failed", e);
      open.scope.doom(failure);
      throw failure;
    } catch (RuntimeException | Error e) {
      if (e != open.undone) {
        open.scope.doom(e);
      }
      throw e;
    }
  }

  private static <T> T savepoint(Frame open, Work<T> work) {
    Connection c = open.connection;
    int actionsBefore = open.actions.size();
    Savepoint savepoint;
    try {
      savepoint = c.setSavepoint();
    } catch (SQLException e) {
      DataAccessException failure = new DataAccessException("cannot set a savepoint", e);
      open.scope.doom(failure);
      throw failure;
    }
    Scope scope = new Scope(open.scope);
    open.scope = scope;
    T result;
    try {
      result = work.run(c);
      scope.throwIfDoomed();
    } catch (SQLException | RuntimeException | Error e) {
      open.scope = scope.outer;
      open.actions.subList(actionsBefore, open.actions.size()).clear();
      try {
        c.rollback(savepoint);
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
        open.scope.doom(e); // its changes could not be undone
      }
      RuntimeException thrown =
          e instanceof SQLException s
              ? new DataAccessException("database statement failed", s)
              : sneaky(e);
      open.undone = thrown;
      throw thrown;
    }
    open.scope = scope.outer;
    try {
      c.releaseSavepoint(savepoint);
    } catch (SQLException e) {
      DataAccessException failure = new DataAccessException("cannot release a savepoint", e);
      open.scope.doom(failure);
      throw failure;
    }
    return result;
  }

  /** Rethrows an unchecked throwable as what it is. */
  private static RuntimeException sneaky(Throwable t) {
    if (t instanceof Error e) {
      throw e;
    }
    return (RuntimeException) t;
  }

  /** A new transaction, retried on serialization failures and deadlocks. */
  private <T> T begin(Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      Connection c;
      try {
        c = dataSource.getConnection();
      } catch (SQLException e) {
        throw new DataAccessException("cannot get a database connection", e);
      }
      Frame frame = push(c);
      Throwable failure = null;
      T result = null;
      try {
        c.setAutoCommit(false);
        if (isolation != null) {
          try (Statement s = c.createStatement()) {
            s.execute("set transaction isolation level " + isolation.sql);
          }
        }
        result = work.run(c);
        frame.scope.throwIfDoomed();
        c.commit();
      } catch (SQLException | RuntimeException | Error e) {
        failure = e;
        try {
          c.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
      } finally {
        pop(frame);
        release(c, failure);
      }
      if (failure == null) {
        frame.actions.forEach(PostgresTransactions::runQuietly);
        return result;
      }
      Throwable doomedBy = frame.scope.doomedBy;
      boolean retryable = retryable(failure) || retryable(doomedBy);
      if (!retryable || attempt >= attempts || Thread.currentThread().isInterrupted()) {
        throw failed(failure, retryable ? attempt : 0);
      }
      log.debug("transaction attempt {} failed, retrying: {}", attempt, failure.toString());
      pause(attempt, failure);
    }
  }

  /** Puts the connection back in auto-commit mode and into the pool. */
  private static void release(Connection c, Throwable failure) {
    try (c) {
      c.setAutoCommit(true);
    } catch (SQLException e) {
      if (failure != null) {
        failure.addSuppressed(e);
      } else {
        log.warn("returning a connection after a commit failed", e);
      }
    }
  }

  private static RuntimeException failed(Throwable failure, int attemptsMade) {
    if (failure instanceof SQLException e) {
      return new DataAccessException(
          attemptsMade > 1
              ? "transaction failed " + attemptsMade + " times on conflicts"
              : "transaction failed",
          e);
    }
    return sneaky(failure);
  }

  /** True when a serialization failure or deadlock is among the causes of {@code t}. */
  static boolean retryable(Throwable t) {
    for (int depth = 0; t != null && depth < 32; t = t.getCause(), depth++) {
      if (t instanceof SQLException e
          && ("40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  /** Waits a jittered, doubling, bounded time before attempt {@code attempt + 1}. */
  private void pause(int attempt, Throwable failure) {
    long ceiling = firstBackoffNanos << Math.min(attempt - 1, 20);
    if (ceiling <= 0 || ceiling > maxBackoffNanos) {
      ceiling = maxBackoffNanos;
    }
    long nanos = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    try {
      Thread.sleep(Duration.ofNanos(nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      IllegalStateException interrupted =
          new IllegalStateException("interrupted while waiting to retry a transaction", e);
      interrupted.addSuppressed(failure);
      throw interrupted;
    }
  }

  private static void runQuietly(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.warn("an action after a commit failed", e);
    }
  }

  /** Builds {@link PostgresTransactions}; each method checks its value. */
  public static final class Builder {
    private final DataSource dataSource;
    private int attempts = 5;
    private Duration firstBackoff = Duration.ofMillis(5);
    private Duration maxBackoff = Duration.ofMillis(200);
    private Isolation isolation;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * How many times a transaction runs at most when it keeps failing with serialization failures
     * or deadlocks (default 5; 1 never retries), 1..100.
     */
    public Builder attempts(int attempts) {
      this.attempts = Check.within("attempts", attempts, 1, 100);
      return this;
    }

    /**
     * The wait before a retry: between half of and all of {@code first} after the first failure,
     * doubling after each further one, never more than {@code max} (default 5 ms and 200 ms).
     */
    public Builder backoff(Duration first, Duration max) {
      Check.positive("first", first);
      Check.positive("max", max);
      if (max.compareTo(first) < 0) {
        throw new IllegalArgumentException("max must be >= first (" + first + ") but was " + max);
      }
      this.firstBackoff = first;
      this.maxBackoff = max;
      return this;
    }

    /** The isolation level of the transactions begun (default: the server's, read committed). */
    public Builder isolation(Isolation isolation) {
      this.isolation = Objects.requireNonNull(isolation, "isolation");
      return this;
    }

    /** The transactions. */
    public PostgresTransactions build() {
      return new PostgresTransactions(this);
    }
  }
}
