package io.bulwark.server;

import io.bulwark.eventstore.EventStore;
import io.bulwark.eventstore.PostgresEventStore;
import io.bulwark.http.HttpModule;
import io.bulwark.http.ProblemRenderer;
import io.bulwark.kernel.Meters;
import io.bulwark.platform.Platform;
import io.bulwark.platform.ServerAssembly;
import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import io.bulwark.postgres.ReadPool;
import io.bulwark.server.dashboard.Dashboard;
import io.bulwark.server.dashboard.FleetZones;
import io.bulwark.server.http.HttpApi;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Bulwark service process: its database (embedded PostgreSQL unless an external JDBC URL
 * is configured), schema migrations, metrics and HTTP API. Closing it stops everything in reverse
 * order: HTTP (finishing in-flight requests), capability modules, pool, database.
 */
public final class BulwarkServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BulwarkServer.class);

  private final ServerConfig config;
  private final PostgresServer postgres;
  private final Database database;
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gcMetrics;
  private final List<AutoCloseable> closeables;
  private final Javalin app;
  private final InstanceLock owner;
  private final DatabaseSupervisor supervisor;
  private final Dashboard dashboard;

  /** The error budget's availability objective: 99.9 % of requests answered without a 5xx. */
  public static final double AVAILABILITY_OBJECTIVE = 0.999;

  /** How often the read pool's replica lag is sampled. */
  static final Duration READ_LAG_SAMPLE = Duration.ofSeconds(1);

  /** The environment variable naming this process's zone on the dashboard (default "local"). */
  public static final String ZONE_ENV = "BULWARK_ZONE";

  private BulwarkServer(Builder b) {
    this.config = b.config;
    this.registry = Meters.conventions(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);

    InstanceLock lock = InstanceLock.acquire(config.instanceDir());
    try {
      requireFreePort(config.host(), config.httpPort());
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
    PostgresServer pg = null;
    Database db = null;
    List<AutoCloseable> started = new ArrayList<>();
    Javalin javalin = null;
    DatabaseSupervisor watcher = null;
    Dashboard board = null;
    try {
      String url;
      if (config.jdbcUrl().isPresent()) {
        url = config.jdbcUrl().get();
        log.info("using external PostgreSQL {}", url);
      } else {
        // dieWithParent: no PostgreSQL outlives this process, even one killed with -9
        pg =
            PostgresServer.builder(config.instanceDir().resolve("pg"))
                .dieWithParent(true)
                .build()
                .start();
        pg.createDatabaseIfMissing(Platform.DATABASE);
        url = pg.jdbcUrl(Platform.DATABASE);
      }
      db = Database.connect(url, config.dbUser(), config.dbPassword(), config.poolSize(), registry);
      for (String module : b.migrations) {
        db.migrate(module);
      }
      EventStore events =
          PostgresEventStore.builder(db.dataSource()).meterRegistry(registry).build();
      ReadPool reads = readPool(config, db, registry);
      started.add(reads); // closed after every module, which may read through it
      Platform platform =
          new Platform(db, reads, events, registry, config.clock(), config.instanceDir());
      List<HttpModule> http = new ArrayList<>();
      if (pg != null) {
        // while the embedded database is known to be down, API requests get 503 at once instead
        // of waiting for a pool connection that cannot come
        DatabaseSupervisor supervised = new DatabaseSupervisor(pg);
        watcher = supervised;
        http.add(
            app ->
                app.before(
                    "/api/*",
                    ctx -> {
                      if (supervised.down()) {
                        ProblemRenderer.writeDatabaseUnavailable(ctx);
                        ctx.skipRemainingHandlers();
                      }
                    }));
      }
      for (Function<Platform, HttpModule> factory : b.modules) {
        HttpModule m = factory.apply(platform);
        if (m instanceof AutoCloseable c) {
          started.add(c);
        }
        http.add(m);
      }
      String zone =
          Optional.ofNullable(System.getenv(ZONE_ENV)).filter(z -> !z.isBlank()).orElse("local");
      board =
          new Dashboard(
              registry,
              config.metrics(),
              AVAILABILITY_OBJECTIVE,
              zone,
              Duration.ofSeconds(1),
              Dashboard.MAX_CLIENTS);
      http.add(board);
      // started by an instance group: the group's process tells how many instances run where
      Optional<FleetZones> fleet =
          FleetZones.fromEnvironment(System.getenv(), zone, config.clock());
      if (fleet.isPresent()) {
        started.add(fleet.get());
        board.supplyInstancesByZone(fleet.get());
      }
      Database readyDb = db;
      javalin =
          HttpApi.create(
              registry,
              () -> readyDb.migrated() && readyDb.reachable(),
              config.shutdownGrace(),
              config.metrics(),
              http);
      javalin.start(config.host(), config.httpPort());
    } catch (Exception e) { // Javalin can throw checked exceptions it does not declare
      if (board != null) {
        board.close();
      }
      stopQuietly(javalin, started, db, pg);
      lock.close();
      throw e instanceof RuntimeException r
          ? r
          : new IllegalStateException(
              "the HTTP server failed to start on "
                  + config.host()
                  + ":"
                  + config.httpPort()
                  + ": "
                  + e.getMessage(),
              e);
    }
    this.postgres = pg;
    this.database = db;
    this.closeables = started;
    this.app = javalin;
    this.owner = lock;
    this.supervisor = watcher == null ? null : watcher.start();
    this.dashboard = board;
    owner.describe("pid " + ProcessHandle.current().pid() + ", " + baseUrl());
    log.info("Bulwark listening on {}", baseUrl());
  }

  /**
   * The pool for reads that tolerate slightly stale data: a read-only pool of its own on {@code
   * readJdbcUrl} when set, else the primary's; either way with the gauges {@code
   * bulwark_db_read_lag_seconds} (the replica's apply lag the pool sees, 0 on the primary) and
   * {@code bulwark_db_read_replica} (1 while the pool's last sample ran on a replica, else 0).
   */
  private static ReadPool readPool(ServerConfig config, Database primary, MeterRegistry registry) {
    ReadPool reads =
        config
            .readJdbcUrl()
            .map(
                url -> {
                  log.info("reading the catalog on {}", url);
                  return ReadPool.separate(
                      Database.connectReadOnly(
                          url,
                          config.dbUser(),
                          config.dbPassword(),
                          config.readPoolSize(),
                          registry),
                      READ_LAG_SAMPLE);
                })
            .orElseGet(() -> ReadPool.onPrimary(primary));
    Gauge.builder("bulwark.db.read.lag.seconds", reads, ReadPool::lagSeconds)
        .description("apply lag of the replica the read pool reads from; 0 on the primary")
        .register(registry);
    Gauge.builder(
            "bulwark.db.read.replica",
            reads,
            r -> r.sampledSource() == ReadPool.Source.REPLICA ? 1 : 0)
        .description("1 while the read pool reads from a replica, 0 while it reads the primary")
        .register(registry);
    return reads;
  }

  /**
   * Throws {@link PortInUseException} when {@code port} (unless 0) cannot be bound on {@code host}:
   * a check to run before starting anything that would have to be stopped again.
   */
  public static void requireFreePort(String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new PortInUseException(host, port, e);
    }
  }

  /** A builder for a server with {@code config}. */
  public static Builder builder(ServerConfig config) {
    return new Builder(config);
  }

  /** The HTTP port actually bound. */
  public int port() {
    return app.port();
  }

  /** {@code http://host:port}. */
  public String baseUrl() {
    return "http://" + config.host() + ":" + port();
  }

  /** The database pool. */
  public Database database() {
    return database;
  }

  /** The embedded PostgreSQL, when one runs. */
  public Optional<PostgresServer> postgres() {
    return Optional.ofNullable(postgres);
  }

  /**
   * The live dashboard ({@code /dashboard}). Started by an instance group ({@value
   * FleetZones#FLEET_URL_ENV} set), it shows the group's instances per zone from the fleet API
   * ({@link FleetZones}); a process that runs a group itself can tell it through {@link
   * Dashboard#supplyInstancesByZone}.
   */
  public Dashboard dashboard() {
    return dashboard;
  }

  /** The metrics registry scraped by {@code /metrics}. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    log.info("stopping Bulwark on {}", baseUrl());
    if (supervisor != null) {
      supervisor.close();
    }
    dashboard.close(); // its event streams would otherwise hold the HTTP server's stop
    stopQuietly(app, closeables, database, postgres);
    gcMetrics.close();
    owner.close();
  }

  private static void stopQuietly(
      Javalin app, List<AutoCloseable> modules, Database db, PostgresServer pg) {
    if (app != null) {
      try {
        app.stop();
      } catch (RuntimeException e) { // Jetty refuses to stop a server that failed to start
        log.warn("HTTP server failed to stop cleanly", e);
      }
    }
    for (int i = modules.size() - 1; i >= 0; i--) {
      try {
        modules.get(i).close();
      } catch (Exception e) {
        log.warn("module failed to stop cleanly", e);
      }
    }
    if (db != null) {
      db.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  /** Builder: capability modules and the migrations they need. */
  public static final class Builder implements ServerAssembly {
    private final ServerConfig config;
    private final List<String> migrations = new ArrayList<>(List.of("eventstore"));
    private final List<Function<Platform, HttpModule>> modules = new ArrayList<>();

    private Builder(ServerConfig config) {
      this.config = config;
    }

    @Override
    public Builder migrate(String module) {
      if (!migrations.contains(module)) {
        migrations.add(module);
      }
      return this;
    }

    @Override
    public Builder module(Function<Platform, HttpModule> factory) {
      modules.add(factory);
      return this;
    }

    /** Starts the database, migrations and HTTP; returns once the server accepts requests. */
    public BulwarkServer start() {
      return new BulwarkServer(this);
    }
  }
}
