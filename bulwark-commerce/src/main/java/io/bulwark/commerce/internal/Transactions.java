package io.bulwark.commerce.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;

/** Runs JDBC work in a transaction; commits on success, rolls back on any exception. */
public final class Transactions {

  /** Work done with one connection inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    /** Does the work; may throw SQL or domain exceptions. */
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;

  /** Transactions on connections from {@code dataSource}. */
  public Transactions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Runs {@code work} in a read-committed transaction. SQL failures become {@link DataAccess}. */
  public <T> T inTransaction(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        try {
          c.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new DataAccess(e);
    }
  }

  /** Runs {@code work} on an auto-commit connection (for single statements and reads). */
  public <T> T read(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new DataAccess(e);
    }
  }

  /** JDBC timestamp of {@code instant}. */
  public static Timestamp ts(Instant instant) {
    return Timestamp.from(instant);
  }

  /** A database failure, with the SQL state in its message. */
  public static final class DataAccess extends RuntimeException {
    DataAccess(SQLException e) {
      super("database error (SQL state " + e.getSQLState() + "): " + e.getMessage(), e);
    }

    /** The SQL state of the underlying error. */
    public String sqlState() {
      return ((SQLException) getCause()).getSQLState();
    }
  }
}
