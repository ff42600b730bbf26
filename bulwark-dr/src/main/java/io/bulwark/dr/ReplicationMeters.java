package io.bulwark.dr;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * Replication lag on {@code /metrics}, as the primary sees its standbys ({@code
 * pg_stat_replication}), refreshed every two seconds through the application's own pool (which
 * follows the primary):
 *
 * <ul>
 *   <li>{@code bulwark_db_replica_lag_bytes{member}}: WAL written on the primary and not yet
 *       replayed on the standby;
 *   <li>{@code bulwark_db_replica_lag_seconds{member}}: PostgreSQL's {@code replay_lag} (the time
 *       the last replayed WAL took from flush on the primary to replay; 0 when caught up);
 *   <li>{@code bulwark_db_replica_sync{member}}: 1 when commits wait for it.
 * </ul>
 *
 * A standby that disconnects drops out of the series.
 */
public final class ReplicationMeters implements AutoCloseable {

  private final DataSource dataSource;
  private final MultiGauge bytes;
  private final MultiGauge seconds;
  private final MultiGauge sync;
  private final Thread refresher;
  private volatile boolean running = true;

  private ReplicationMeters(DataSource dataSource, MeterRegistry registry) {
    this.dataSource = dataSource;
    this.bytes =
        MultiGauge.builder("bulwark.db.replica.lag.bytes")
            .description("WAL bytes not yet replayed on the standby")
            .baseUnit("bytes")
            .register(registry);
    this.seconds =
        MultiGauge.builder("bulwark.db.replica.lag.seconds")
            .description("replay_lag of the standby as its primary sees it")
            .register(registry);
    this.sync =
        MultiGauge.builder("bulwark.db.replica.sync")
            .description("1 when commits wait for the standby")
            .register(registry);
    this.refresher =
        Thread.ofPlatform().daemon().name("replication-meters").start(this::refreshLoop);
  }

  /** Starts publishing to {@code registry}, reading through {@code dataSource}. */
  public static ReplicationMeters start(DataSource dataSource, MeterRegistry registry) {
    return new ReplicationMeters(dataSource, registry);
  }

  /** Reads {@code pg_stat_replication} once and updates the gauges. */
  public void refresh() {
    List<MultiGauge.Row<?>> b = new ArrayList<>();
    List<MultiGauge.Row<?>> s = new ArrayList<>();
    List<MultiGauge.Row<?>> y = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "select application_name,"
                        + " coalesce(pg_current_wal_lsn() - replay_lsn, 0),"
                        + " coalesce(extract(epoch from replay_lag), 0),"
                        + " sync_state in ('sync', 'quorum')"
                        + " from pg_stat_replication where application_name <> ''"
                        + " and not pg_is_in_recovery()")) {
      while (rs.next()) {
        Tags tags = Tags.of("member", rs.getString(1));
        b.add(MultiGauge.Row.of(tags, rs.getLong(2)));
        s.add(MultiGauge.Row.of(tags, rs.getDouble(3)));
        y.add(MultiGauge.Row.of(tags, rs.getBoolean(4) ? 1 : 0));
      }
    } catch (SQLException e) {
      return; // during a failover: keep the last values until the next refresh
    }
    bytes.register(b, true);
    seconds.register(s, true);
    sync.register(y, true);
  }

  private void refreshLoop() {
    while (running) {
      refresh();
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
    }
  }

  @Override
  public void close() {
    running = false;
    refresher.interrupt();
  }
}
