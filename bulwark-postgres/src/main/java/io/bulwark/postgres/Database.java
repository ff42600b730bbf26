package io.bulwark.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * A pooled connection to one PostgreSQL database (embedded or external) and the schema migrations
 * that modules apply to it. Each module owns its migrations under {@code db/migration/<module>}
 * with its own history table, so modules migrate independently.
 */
public final class Database implements AutoCloseable {

  /** How long a request waits for a connection before it fails as unavailable. */
  private static final long CONNECTION_TIMEOUT_MS = 5_000;

  /** How often the pool tries to open a connection while the database is unavailable. */
  static final Duration RECONNECT_INTERVAL = Duration.ofMillis(50);

  /** How long a read-only pool keeps a connection (HikariCP's minimum is 30 s). */
  static final Duration READ_CONNECTION_LIFETIME = Duration.ofSeconds(60);

  private final HikariDataSource dataSource;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private volatile boolean migrated;

  private Database(HikariDataSource dataSource, String jdbcUrl, String user, String password) {
    this.dataSource = dataSource;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  /** A pool of up to {@code maxPoolSize} connections to {@code jdbcUrl}. */
  public static Database connect(String jdbcUrl, String user, String password, int maxPoolSize) {
    return connect(jdbcUrl, user, password, maxPoolSize, null);
  }

  /**
   * As {@link #connect(String, String, String, int)}, publishing pool metrics to {@code
   * meterRegistry} (a Micrometer {@code MeterRegistry}; null for none).
   */
  public static Database connect(
      String jdbcUrl, String user, String password, int maxPoolSize, Object meterRegistry) {
    return connect(jdbcUrl, user, password, maxPoolSize, meterRegistry, false);
  }

  /**
   * A read-only pool (pool name {@code bulwark-read}) of up to {@code maxPoolSize} connections to
   * {@code jdbcUrl}, typically a multi-host URL with {@code targetServerType=preferSecondary}. Its
   * connections are retired after a minute, so that reads that fell back to the primary while the
   * replicas were away return to a replica soon after one is back. Metrics go to {@code
   * meterRegistry} as for {@link #connect(String, String, String, int, Object)}.
   */
  public static Database connectReadOnly(
      String jdbcUrl, String user, String password, int maxPoolSize, Object meterRegistry) {
    return connect(jdbcUrl, user, password, maxPoolSize, meterRegistry, true);
  }

  private static Database connect(
      String jdbcUrl,
      String user,
      String password,
      int maxPoolSize,
      Object meterRegistry,
      boolean readOnly) {
    Properties driver = new Properties();
    driver.setProperty("reWriteBatchedInserts", "true");
    driver.setProperty("tcpKeepAlive", "true");
    if (readOnly) {
      // pgjdbc's default ("transaction") makes auto-commit statements writable despite readOnly
      driver.setProperty("readOnlyMode", "always");
    }
    HikariConfig config = new HikariConfig();
    config.setDataSource(
        new ReconnectingDataSource(
            new DriverDataSource(jdbcUrl, "org.postgresql.Driver", driver, user, password),
            RECONNECT_INTERVAL,
            Duration.ofMillis(CONNECTION_TIMEOUT_MS)));
    config.setMaximumPoolSize(maxPoolSize);
    config.setMinimumIdle(Math.min(2, maxPoolSize));
    config.setPoolName(readOnly ? "bulwark-read" : "bulwark");
    if (readOnly) {
      config.setReadOnly(true);
      config.setMaxLifetime(READ_CONNECTION_LIFETIME.toMillis());
      // both must stay below the lifetime, or HikariCP turns them off with a warning
      config.setIdleTimeout(READ_CONNECTION_LIFETIME.toMillis() / 2);
      config.setKeepaliveTime(READ_CONNECTION_LIFETIME.toMillis() / 2);
    }
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    config.setInitializationFailTimeout(-1);
    if (meterRegistry != null) {
      config.setMetricRegistry(meterRegistry);
    }
    return new Database(new HikariDataSource(config), jdbcUrl, user, password);
  }

  /** Applies {@code module}'s migrations from {@code classpath:db/migration/<module>}. */
  public Database migrate(String module) {
    Flyway.configure(Database.class.getClassLoader())
        .dataSource(dataSource)
        .locations("classpath:db/migration/" + module)
        .table("schema_history_" + module)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
    migrated = true;
    return this;
  }

  /** True once a migration ran in this process. */
  public boolean migrated() {
    return migrated;
  }

  /** True when a connection can be borrowed and answers within two seconds. */
  public boolean reachable() {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  /** The pool. */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * The JDBC URL the pool connects to, for a tool that needs a connection of its own beside the
   * pool (a monitor that must not wait behind a full pool).
   */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** The user the pool connects as. */
  public String user() {
    return user;
  }

  /** The password the pool connects with. */
  public String password() {
    return password;
  }

  /** The Hikari pool, for metrics binding. */
  public HikariDataSource pool() {
    return dataSource;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
