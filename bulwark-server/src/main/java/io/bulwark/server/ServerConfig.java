package io.bulwark.server;

import io.bulwark.kernel.Check;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * How a Bulwark server process runs: its HTTP port, and either an embedded PostgreSQL in a data
 * directory (the default) or an external PostgreSQL by JDBC URL.
 *
 * @param name instance name; the embedded database lives in {@code <home>/<name>/pg}
 * @param host address to bind, default 127.0.0.1
 * @param httpPort HTTP port, 0 picks a free one
 * @param home state directory, default {@code ~/.bulwark} (or {@code $BULWARK_HOME})
 * @param jdbcUrl an external PostgreSQL; empty means start the embedded one
 * @param dbUser user for the external database
 * @param dbPassword password for the external database
 * @param poolSize maximum database connections
 * @param readJdbcUrl where the catalog's product list and detail may be read, typically the
 *     cluster's members with {@code targetServerType=preferSecondary}; empty means the primary's
 *     pool; needs {@code jdbcUrl}
 * @param readPoolSize maximum connections of the read pool, default 4
 * @param shutdownGrace how long in-flight requests may take to finish on shutdown
 * @param clock the time every module reads, default the UTC system clock
 * @param metrics who may read {@code /metrics}, default anyone
 */
public record ServerConfig(
    String name,
    String host,
    int httpPort,
    Path home,
    Optional<String> jdbcUrl,
    String dbUser,
    String dbPassword,
    int poolSize,
    Optional<String> readJdbcUrl,
    int readPoolSize,
    Duration shutdownGrace,
    Clock clock,
    MetricsAccess metrics) {

  public ServerConfig {
    if (name == null || !name.matches("[a-z][a-z0-9-]{0,40}")) {
      throw new IllegalArgumentException(
          "name must match [a-z][a-z0-9-]{0,40} but was \"" + name + "\"");
    }
    Check.within("httpPort", httpPort, 0, 65535);
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    Check.positive("poolSize", poolSize);
    Check.positive("readPoolSize", readPoolSize);
    java.util.Objects.requireNonNull(metrics, "metrics");
    if (jdbcUrl.isPresent() && !jdbcUrl.get().startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "jdbcUrl must start with jdbc:postgresql: but was \"" + jdbcUrl.get() + "\"");
    }
    if (readJdbcUrl.isPresent()) {
      if (!readJdbcUrl.get().startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "readJdbcUrl must start with jdbc:postgresql: but was \"" + readJdbcUrl.get() + "\"");
      }
      if (jdbcUrl.isEmpty()) {
        throw new IllegalArgumentException(
            "readJdbcUrl needs jdbcUrl (replicas of an external primary) but jdbcUrl was not set");
      }
    }
  }

  /** Directory holding this instance's state (database, logs). */
  public Path instanceDir() {
    return home.resolve(name);
  }

  /** A builder with defaults: name "bulwark", 127.0.0.1, port 8080, embedded database. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link ServerConfig}. */
  public static final class Builder {
    private String name = "bulwark";
    private String host = "127.0.0.1";
    private int httpPort = 8080;
    private Path home = io.bulwark.postgres.BulwarkHome.path();
    private String jdbcUrl;
    private String dbUser = "postgres";
    private String dbPassword = "";
    private int poolSize = 20;
    private String readJdbcUrl;
    private int readPoolSize = 4;
    private Duration shutdownGrace = Duration.ofSeconds(20);
    private Clock clock = Clock.systemUTC();
    private MetricsAccess metrics = MetricsAccess.open();

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder httpPort(int httpPort) {
      this.httpPort = httpPort;
      return this;
    }

    public Builder home(Path home) {
      this.home = home;
      return this;
    }

    /** Use an external PostgreSQL instead of the embedded one. */
    public Builder jdbcUrl(String jdbcUrl) {
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    public Builder dbUser(String dbUser) {
      this.dbUser = dbUser;
      return this;
    }

    public Builder dbPassword(String dbPassword) {
      this.dbPassword = dbPassword;
      return this;
    }

    public Builder poolSize(int poolSize) {
      this.poolSize = poolSize;
      return this;
    }

    /**
     * Read the catalog's product list and detail on {@code readJdbcUrl} (a replica-preferring URL),
     * through a read-only pool of its own; null (the default) reads them on the primary.
     */
    public Builder readJdbcUrl(String readJdbcUrl) {
      this.readJdbcUrl = readJdbcUrl;
      return this;
    }

    /** Maximum connections of the read pool; default 4. */
    public Builder readPoolSize(int readPoolSize) {
      this.readPoolSize = readPoolSize;
      return this;
    }

    public Builder shutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
      return this;
    }

    /** The time every module reads (timers, timestamps); default the UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Who may read {@code /metrics}; default anyone. */
    public Builder metrics(MetricsAccess metrics) {
      this.metrics = metrics;
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(
          name,
          host,
          httpPort,
          home,
          Optional.ofNullable(jdbcUrl),
          dbUser,
          dbPassword,
          poolSize,
          Optional.ofNullable(readJdbcUrl),
          readPoolSize,
          shutdownGrace,
          clock,
          metrics);
    }
  }
}
