package io.bulwark.states.durable.internal;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Runs work in one transaction, retrying on deadlocks and serialization failures. */
final class Transactions {
  private static final int ATTEMPTS = 5;

  /** Work on an open connection inside a transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;

  Transactions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  <T> T inTransaction(Work<T> work) {
    SQLException last = null;
    for (int i = 0; i < ATTEMPTS; i++) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
          throw new IllegalStateException("states database operation failed: " + e, e);
        }
        last = e;
      }
    }
    throw new IllegalStateException(
        "states database operation failed " + ATTEMPTS + " times on conflicts: " + last, last);
  }
}
