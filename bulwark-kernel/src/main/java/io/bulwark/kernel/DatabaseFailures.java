package io.bulwark.kernel;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells a database that is away (restarting, failing over, out of connections) from a bug, by the
 * SQL states and exceptions in a failure's cause chain: the one place both the HTTP error mapping
 * and the background loops' logs ask.
 */
public final class DatabaseFailures {

  private DatabaseFailures() {}

  /**
   * Whether {@code e} comes from losing the database rather than from a bug: a broken or refused
   * connection (SQLState class 08), a server shutting down or starting up (57P01..57P03), or a
   * write sent to a server that just became a read-only standby (25006).
   */
  public static boolean unavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03")
            || state.equals("25006")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether {@code e} comes from a connection pool that had no connection free in time. */
  public static boolean poolExhausted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException) {
        return true;
      }
    }
    return false;
  }
}
