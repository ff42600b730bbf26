package io.bulwark.states.durable.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work in one transaction, retrying on deadlocks and serialization failures, and runs what the
 * work registered with {@link #afterCommit} once it has committed.
 */
final class Transactions {
  private static final Logger log = LoggerFactory.getLogger(Transactions.class);
  private static final int ATTEMPTS = 5;

  /** What the transaction open on this thread runs after it commits; null when none is open. */
  private static final ThreadLocal<List<Runnable>> AFTER_COMMIT = new ThreadLocal<>();

  /** Work on an open connection inside a transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;

  Transactions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Runs {@code action} once the transaction that {@link #inTransaction} has open on this thread
   * commits (never if it rolls back, once if it is retried); at once when none is open (work on a
   * caller's transaction, whose commit the engine does not see).
   */
  static void afterCommit(Runnable action) {
    Objects.requireNonNull(action, "action");
    List<Runnable> actions = AFTER_COMMIT.get();
    if (actions == null) {
      run(action);
    } else {
      actions.add(action);
    }
  }

  <T> T inTransaction(Work<T> work) {
    SQLException last = null;
    List<Runnable> outer = AFTER_COMMIT.get();
    try {
      for (int i = 0; i < ATTEMPTS; i++) {
        List<Runnable> actions = new ArrayList<>();
        AFTER_COMMIT.set(actions);
        T result;
        try (Connection c = dataSource.getConnection()) {
          c.setAutoCommit(false);
          try {
            result = work.run(c);
            c.commit();
          } catch (SQLException | RuntimeException e) {
            // a rollback on a connection the database dropped fails too: keep the first cause
            try {
              c.rollback();
            } catch (SQLException rollback) {
              e.addSuppressed(rollback);
            }
            throw e;
          }
        } catch (SQLException e) {
          if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
            throw new IllegalStateException("states database operation failed: " + e, e);
          }
          last = e;
          continue;
        }
        AFTER_COMMIT.set(outer);
        actions.forEach(Transactions::run);
        return result;
      }
    } finally {
      AFTER_COMMIT.set(outer);
    }
    throw new IllegalStateException(
        "states database operation failed " + ATTEMPTS + " times on conflicts: " + last, last);
  }

  private static void run(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.warn("an action after a commit failed", e);
    }
  }
}
