package io.bulwark.postgres;

import io.bulwark.kernel.DatabaseFailures;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Opens connections through {@code delegate}, retrying at a short fixed interval while the database
 * is unavailable (refused, shutting down or starting up, or no primary among the hosts of a
 * multi-host URL during a failover), for up to {@code patience} per call.
 *
 * <p>Why: the pool opens connections on one background thread that backs off exponentially after
 * each failure (10 ms doubling to 5 s in HikariCP). After a failover that left the shop without a
 * primary for three seconds, that backoff alone held the next attempt back for another two and a
 * half seconds after the new primary took writes. Retrying here, every {@code interval}, keeps the
 * pool's own backoff from growing during a short outage, so the first connection to the new primary
 * opens within one interval of its promotion. Errors that are not about availability (a wrong
 * password, a missing database) fail at once.
 */
final class ReconnectingDataSource implements DataSource {

  private final DataSource delegate;
  private final long intervalNanos;
  private final long patienceNanos;

  ReconnectingDataSource(DataSource delegate, Duration interval, Duration patience) {
    this.delegate = delegate;
    this.intervalNanos = interval.toNanos();
    this.patienceNanos = patience.toNanos();
  }

  @Override
  public Connection getConnection() throws SQLException {
    long deadline = System.nanoTime() + patienceNanos;
    while (true) {
      try {
        return delegate.getConnection();
      } catch (SQLException e) {
        if (!DatabaseFailures.unavailable(e)
            || System.nanoTime() + intervalNanos - deadline > 0
            || Thread.currentThread().isInterrupted()) {
          throw e;
        }
        LockSupport.parkNanos(intervalNanos);
      }
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the pool's credentials are fixed");
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    return delegate.unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return type.isInstance(this) || delegate.isWrapperFor(type);
  }
}
