package io.bulwark.postgres;

import java.sql.SQLException;

/**
 * A database operation failed: a statement, a commit, or getting a connection. The message says
 * what was being done and the SQL state; the cause is the driver's exception.
 */
public final class DataAccessException extends RuntimeException {

  /** {@code doing} says what failed; the SQL state and message of {@code cause} are appended. */
  public DataAccessException(String doing, Throwable cause) {
    super(doing + " (SQL state " + sqlState(cause) + "): " + cause.getMessage(), cause);
  }

  /** The SQL state of the first {@link SQLException} among the causes, or null when none says. */
  public String sqlState() {
    return sqlState(getCause());
  }

  static String sqlState(Throwable t) {
    for (int depth = 0; t != null && depth < 32; t = t.getCause(), depth++) {
      if (t instanceof SQLException e && e.getSQLState() != null) {
        return e.getSQLState();
      }
    }
    return null;
  }
}
