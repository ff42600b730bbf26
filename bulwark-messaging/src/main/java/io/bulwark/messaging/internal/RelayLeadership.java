package io.bulwark.messaging.internal;

import io.bulwark.eventstore.OutboxRelay;
import io.bulwark.eventstore.internal.PollingLoop;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the outbox relay in one process at a time among those sharing a database, so one key's
 * messages leave the outbox in order even when every process of a shop runs a bus (two relays
 * claiming side by side could send a key's later message before its earlier one).
 *
 * <p>The leader holds a session-level PostgreSQL advisory lock on a connection it keeps; the others
 * try to take it every {@code check}. A leader whose connection breaks stops relaying; its session
 * ends with the connection, which frees the lock for another process. For a moment after a leader's
 * database connection breaks, both may relay (at most one check interval); consumers deduplicate,
 * and a key's order may be broken only in that moment.
 */
public final class RelayLeadership implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RelayLeadership.class);

  private final DataSource dataSource;
  private final Supplier<OutboxRelay> relays;
  private final Duration check;
  private final PollingLoop loop = new PollingLoop("outbox-relay-leadership");
  private Connection lock;
  private OutboxRelay relay;

  /**
   * Relays built by {@code relays} run while this process holds the lock, checked every {@code
   * check}; gauge {@code bulwark.messaging.relay.leading} on {@code registry} is 1 meanwhile.
   */
  public RelayLeadership(
      DataSource dataSource, Supplier<OutboxRelay> relays, Duration check, MeterRegistry registry) {
    this.dataSource = dataSource;
    this.relays = relays;
    this.check = check;
    Gauge.builder("bulwark.messaging.relay.leading", this, l -> l.leading() ? 1 : 0)
        .description("1 while this process relays the outbox (one process at a time does)")
        .register(registry);
  }

  /** Starts competing for the lead on a background thread; returns at once. */
  public RelayLeadership start() {
    loop.start(this::run);
    return this;
  }

  /** Whether this process relays now. */
  public synchronized boolean leading() {
    return relay != null;
  }

  private void run() {
    while (loop.running()) {
      synchronized (this) {
        if (lock == null) {
          tryLead();
        } else if (!valid(lock)) {
          log.warn("lost the outbox relay's database session; another process may take over");
          resign();
        }
      }
      loop.pause(check);
    }
  }

  private void tryLead() {
    Connection c = null;
    try {
      c = dataSource.getConnection();
      c.setAutoCommit(true);
      boolean got;
      try (PreparedStatement st =
              c.prepareStatement(
                  "select pg_try_advisory_lock(hashtext('bulwark.messaging'), hashtext('outbox-relay'))");
          ResultSet rs = st.executeQuery()) {
        rs.next();
        got = rs.getBoolean(1);
      }
      if (got) {
        lock = c;
        c = null;
        relay = relays.get().start();
        log.info("this process relays the outbox");
      }
    } catch (SQLException | RuntimeException e) {
      log.debug("cannot compete for the outbox relay now", e);
    } finally {
      closeQuietly(c);
    }
  }

  private static boolean valid(Connection c) {
    try {
      return c.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  private void resign() {
    if (relay != null) {
      relay.close();
      relay = null;
    }
    if (lock != null) {
      try (PreparedStatement st =
          lock.prepareStatement(
              "select pg_advisory_unlock(hashtext('bulwark.messaging'), hashtext('outbox-relay'))")) {
        st.execute();
      } catch (SQLException e) {
        log.debug("could not release the relay lock (its session is gone)", e);
      }
      closeQuietly(lock);
      lock = null;
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        log.debug("closing a connection failed", e);
      }
    }
  }

  /** Stops relaying and gives up the lead. */
  @Override
  public void close() {
    loop.close();
    synchronized (this) {
      resign();
    }
  }
}
