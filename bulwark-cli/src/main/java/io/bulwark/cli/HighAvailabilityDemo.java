package io.bulwark.cli;

import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.commerce.DemoData;
import io.bulwark.commerce.payment.simulator.PaymentSimulatorProcess;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.LocalClusters;
import io.bulwark.fleet.http.FleetApi;
import io.bulwark.fleet.local.LocalProcessProvider;
import io.bulwark.fleet.local.ProcessCommand;
import io.bulwark.fleet.stack.LocalStack;
import io.bulwark.fleet.stack.StackPlan;
import io.bulwark.platform.Platform;
import io.bulwark.postgres.PostgresServer;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.InstanceLock;
import io.bulwark.server.ServerConfig;
import io.bulwark.server.dashboard.FleetZones;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyFile;
import io.bulwark.traffic.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The shop of {@code bulwark demo --ha}: a highly available PostgreSQL cluster (a primary in
 * zone-a, a synchronous standby in zone-b, automatic failover over a three-member ZooKeeper
 * ensemble) and one payment-gateway simulator shared by several {@code bulwark serve} processes,
 * spread over three zones by an instance group behind the gateway. Killing an instance costs no
 * request: the gateway retries idempotent requests elsewhere and the group starts a replacement.
 * Killing the database primary costs no acknowledged order: the standby is promoted and the shop's
 * pools follow it.
 */
final class HighAvailabilityDemo implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

  /**
   * What runs: the topology (a resource) whose services the instance groups run and whose traffic
   * section configures the gateway; a database cluster with failover, or one embedded PostgreSQL
   * server; and what to seed beyond the demo's data.
   *
   * @param topology the topology file's resource path
   * @param cluster a primary and a synchronous standby over ZooKeeper, else one server
   * @param seed more data, with the shop's modules, after the demo's
   */
  record Layout(String topology, boolean cluster, Consumer<Commerce> seed) {
    /** {@code bulwark demo --ha}'s. */
    static final Layout DEMO = new Layout("/io/bulwark/cli/demo-ha.yaml", true, c -> {});
  }

  private final List<AutoCloseable> parts;
  private final LocalStack stack;
  private final DemoData.Seeded seeded;
  private final String jdbcUrl;
  private final URI payments;

  private HighAvailabilityDemo(
      List<AutoCloseable> parts,
      LocalStack stack,
      DemoData.Seeded seeded,
      String jdbcUrl,
      URI payments) {
    this.parts = parts;
    this.stack = stack;
    this.seeded = seeded;
    this.jdbcUrl = jdbcUrl;
    this.payments = payments;
  }

  /**
   * Starts the database (embedded unless {@code config} names one), the simulator, seeds the shop
   * once, then the instance group and the gateway on {@code port}; returns once every instance is
   * in service.
   */
  static HighAvailabilityDemo start(
      ServerConfig config,
      ServerOptions server,
      SimulatorOptions simulator,
      String adminPassword,
      PrintWriter err) {
    return start(config, server, simulator, adminPassword, err, Layout.DEMO, server.port);
  }

  /**
   * Starts {@code layout} as {@link #start(ServerConfig, ServerOptions, SimulatorOptions, String,
   * PrintWriter)} does, with the gateway on {@code port}.
   */
  static HighAvailabilityDemo start(
      ServerConfig config,
      ServerOptions server,
      SimulatorOptions simulator,
      String adminPassword,
      PrintWriter err,
      Layout layout,
      int port) {
    String kafka = server.kafka;
    // the cluster's directory has one owner: a second demo --ha on this home is refused (exit 2)
    // naming the running one, and never touches its databases
    InstanceLock owner = InstanceLock.acquire(config.instanceDir().resolve("db"));
    List<AutoCloseable> parts = new ArrayList<>();
    parts.add(owner);
    try {
      BulwarkServer.requireFreePort(config.host(), port);
      String jdbcUrl;
      Optional<String> readJdbcUrl = config.readJdbcUrl();
      if (config.jdbcUrl().isPresent()) {
        jdbcUrl = config.jdbcUrl().get();
      } else if (!layout.cluster()) {
        PostgresServer pg =
            PostgresServer.builder(config.instanceDir().resolve("pg"))
                .dieWithParent(true)
                .build()
                .start();
        parts.add(pg);
        pg.createDatabaseIfMissing(Platform.DATABASE);
        jdbcUrl = pg.jdbcUrl(Platform.DATABASE);
      } else {
        DatabaseCluster db =
            DatabaseCluster.create(LocalClusters.demo(config.instanceDir().resolve("db")));
        parts.add(db);
        db.start(err);
        LocalClusters.createDatabaseIfMissing(db.jdbcUrl("postgres"), Platform.DATABASE);
        jdbcUrl = db.jdbcUrl(Platform.DATABASE);
        // the shop instances browse the catalog on the sync standby while it is there
        readJdbcUrl = Optional.of(db.readJdbcUrl(Platform.DATABASE));
      }
      PaymentSimulatorProcess payments = PaymentSimulatorProcess.start(simulator);
      parts.add(payments);
      String jwtSecret = randomSecret();
      CommerceOptions options =
          CommerceOptions.builder().jwtSecret(jwtSecret).paymentGateway(payments.baseUrl()).build();

      err.println("migrating and seeding ...");
      err.flush();
      DemoData.Seeded seeded;
      BulwarkServer.Builder seeder =
          BulwarkServer.builder(
              ServerConfig.builder()
                  .name(config.name())
                  .home(config.home())
                  .httpPort(0)
                  .jdbcUrl(jdbcUrl)
                  .dbUser(config.dbUser())
                  .dbPassword(config.dbPassword())
                  .build());
      Commerce commerce = DemoCommand.installShop(seeder, options, null);
      BulwarkServer once = seeder.start(); // migrates; seeding needs it running
      try {
        seeded = DemoData.seed(commerce, adminPassword);
        layout.seed().accept(commerce);
      } finally {
        once.close();
      }

      Topology topology =
          TopologyFile.parse("builtin:" + layout.topology(), resource(layout.topology()));
      // the fleet API comes up before the group so that its instances can be told where it is:
      // their dashboards show the group's instances per zone from it (FleetZones)
      AtomicReference<LocalStack> running = new AtomicReference<>();
      FleetApi fleet =
          FleetApi.start(() -> running.get() == null ? List.of() : running.get().groups(), 0);
      parts.add(fleet);
      ProcessCommand serve =
          new ProcessCommand(
              Stream.concat(
                      Stream.of(
                          ProcessCommand.currentJava(),
                          "-XX:+UseSerialGC", // the full tiered JIT: these serve the shop's traffic
                          "-Xmx256m",
                          "-cp",
                          System.getProperty("java.class.path"),
                          Main.class.getName(),
                          "serve",
                          "--port",
                          "{port}",
                          "--home",
                          config.instanceDir().resolve("instances").resolve("{id}").toString(),
                          "--jdbc-url",
                          jdbcUrl,
                          "--db-user",
                          config.dbUser(),
                          "--payment-gateway",
                          payments.baseUrl().toString(),
                          "--watch-stdin"),
                      Stream.concat(
                          readJdbcUrl.stream().flatMap(u -> Stream.of("--read-jdbc-url", u)),
                          server.instanceArguments().stream()))
                  .toList(),
              instanceEnvironment(jwtSecret, config.dbPassword(), kafka, server, fleet.url()),
              true);
      LocalProcessProvider provider =
          LocalProcessProvider.of(
              serve,
              Map.of("shop", serve),
              Optional.of(config.instanceDir().resolve("logs").resolve("instances")));
      err.println(
          "starting "
              + topology.services().get(0).instances().desired()
              + " shop instances over "
              + String.join(", ", topology.homeRegion().zones())
              + " ...");
      err.flush();
      LocalStack stack =
          LocalStack.start(
              StackPlan.of(topology, port, GatewayConfig.ADMIN_DISABLED),
              provider,
              Clock.systemUTC());
      parts.add(stack);
      running.set(stack);
      if (!stack.awaitReady(READY_TIMEOUT)) {
        throw new IllegalStateException(
            "the shop instances did not become healthy within "
                + READY_TIMEOUT.toSeconds()
                + " s; see "
                + config.instanceDir().resolve("logs").resolve("instances"));
      }
      owner.describe("pid " + ProcessHandle.current().pid() + ", " + stack.url());
      return new HighAvailabilityDemo(parts, stack, seeded, jdbcUrl, payments.baseUrl());
    } catch (Exception e) { // Netty throws its checked bind errors undeclared
      closeAll(parts);
      throw e instanceof RuntimeException r
          ? r
          : new IllegalStateException("starting the demo failed: " + e.getMessage(), e);
    }
  }

  /** The gateway's base URL. */
  String url() {
    return stack.url();
  }

  /** The gateway and the instance groups. */
  LocalStack stack() {
    return stack;
  }

  /** Where the shop's database is (the primary, for a cluster). */
  String jdbcUrl() {
    return jdbcUrl;
  }

  /** The payment simulator's base URL. */
  URI payments() {
    return payments;
  }

  /** What seeding left in the shop. */
  DemoData.Seeded seeded() {
    return seeded;
  }

  @Override
  public void close() {
    closeAll(parts);
  }

  /** Closes in reverse start order: gateway and instances, simulator, then the database. */
  private static void closeAll(List<AutoCloseable> parts) {
    RuntimeException failure = null;
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("stopping the demo failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static String randomSecret() {
    byte[] key = new byte[48];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static String resource(String path) {
    try (InputStream in = HighAvailabilityDemo.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /**
   * What every shop instance gets in its environment; {@code kafka} may be null. {@code fleetUrl}
   * is the fleet API its dashboard reads the group's instances per zone from.
   */
  private static Map<String, String> instanceEnvironment(
      String jwtSecret, String dbPassword, String kafka, ServerOptions server, String fleetUrl) {
    Map<String, String> env = new java.util.LinkedHashMap<>(server.instanceEnvironment());
    env.put(ServeCommand.JWT_SECRET_ENV, jwtSecret);
    env.put("BULWARK_DB_PASSWORD", dbPassword);
    // the Step Functions API, signed with the demo operator's key pair as on the one-process demo
    env.put(
        StepFunctionsOptions.ACCESS_KEY_ENV, DemoData.OPERATOR + ":" + DemoData.OPERATOR_PASSWORD);
    if (kafka != null) {
      env.put("BULWARK_KAFKA", kafka);
    }
    env.put(FleetZones.FLEET_URL_ENV, fleetUrl);
    return env;
  }
}
