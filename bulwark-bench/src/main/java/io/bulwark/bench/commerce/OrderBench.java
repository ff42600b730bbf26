package io.bulwark.bench.commerce;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.commerce.auth.Caller;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.identity.User;
import io.bulwark.commerce.inventory.Product;
import io.bulwark.commerce.ordering.OrderEvents;
import io.bulwark.commerce.payment.simulator.PaymentSimulator;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.kernel.Trees;
import io.bulwark.platform.Platform;
import io.bulwark.postgres.PostgresServer;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.LoggerFactory;

/**
 * End-to-end order throughput of the shop over real HTTP, against what the same PostgreSQL can
 * commit, measured in one run on this machine.
 *
 * <p>Starts its own embedded PostgreSQL (durable: {@code fsync} and {@code synchronous_commit} on),
 * an in-process payment simulator with no latency and no failures, and a Bulwark server with
 * commerce (production defaults except bcrypt cost, which only affects seeding). Seeds products
 * with ample stock and one customer per client. Then, for each client count C:
 *
 * <ol>
 *   <li>baseline: C JDBC connections each looping a single-row {@code INSERT} + {@code COMMIT};
 *   <li>orders: C HTTP clients each looping {@code POST /api/v1/orders} (1 to 3 lines, a fresh
 *       {@code Idempotency-Key}) for the measurement window: accepted (202) per second, orders
 *       reaching CONFIRMED per second within the window, p50/p99 latency (HdrHistogram), and the
 *       time the saga needs afterwards to drain what was accepted, and the end-to-end rate: orders
 *       CONFIRMED from the start of the window until the backlog is drained, per second; and the
 *       commits per confirmed order ({@code pg_stat_database.xact_commit} over the window and the
 *       drain, every transaction of the server included).
 * </ol>
 *
 * <p>Options: {@code --clients 4,16,64} {@code --seconds 10} (orders window) {@code
 * --baseline-seconds 5} {@code --products 50} {@code --drain-seconds 20} (most time given to the
 * saga to finish the backlog after each window; what is left is reported and carries over) {@code
 * --saga-workers 4} (default: the production default).
 */
public final class OrderBench {

  private static final String ADMIN_PASSWORD = "bench-admin-password";

  private OrderBench() {}

  /** One row of the result table. */
  record Result(
      int clients,
      double commitsPerSecond,
      double acceptedPerSecond,
      double confirmedPerSecond,
      double p50Millis,
      double p99Millis,
      long errors,
      double drainSeconds,
      long backlogLeft,
      double endToEndPerSecond,
      double commitsPerOrder) {}

  /** How long draining took and how many accepted orders were still not terminal after it. */
  record Drain(double seconds, long left) {}

  public static void main(String[] args) throws Exception {
    int[] clients = {4, 16, 64};
    int seconds = 10;
    int baselineSeconds = 5;
    int products = 50;
    int drainSeconds = 20;
    int sagaWorkers = CommerceOptions.defaults().sagaWorkers();
    int statements = 0;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--statements" -> statements = Integer.parseInt(args[i + 1]);
        case "--clients" ->
            clients = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--baseline-seconds" -> baselineSeconds = Integer.parseInt(args[i + 1]);
        case "--products" -> products = Integer.parseInt(args[i + 1]);
        case "--drain-seconds" -> drainSeconds = Integer.parseInt(args[i + 1]);
        case "--saga-workers" -> sagaWorkers = Integer.parseInt(args[i + 1]);
        default -> {
          System.err.println(
              "unknown option "
                  + args[i]
                  + "; use --clients 4,16,64 --seconds N --baseline-seconds N --products N"
                  + " --drain-seconds N --saga-workers N --statements N (top N SQL statements by"
                  + " database time, from pg_stat_statements)");
          System.exit(2);
        }
      }
    }
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    int maxClients = Arrays.stream(clients).max().orElse(1);
    Path dir = Files.createTempDirectory("bulwark-order-bench-");
    long started = System.nanoTime();
    PostgresServer.Builder pgBuilder =
        PostgresServer.builder(dir.resolve("pg"))
            .setting("max_connections", Integer.toString(maxClients + 100));
    if (statements > 0) {
      pgBuilder.setting("shared_preload_libraries", "pg_stat_statements");
    }
    try (PostgresServer pg = pgBuilder.build().start();
        PaymentSimulator payments =
            PaymentSimulator.start(
                SimulatorOptions.defaults()
                    .withLatency(Duration.ZERO, Duration.ZERO)
                    .withRates(0, 0, 0))) {
      Shop shop =
          Shop.install(
              dir,
              "bench",
              pg,
              payments,
              CommerceOptions.builder().bcryptCost(4).sagaWorkers(sagaWorkers));
      Commerce commerce = shop.commerce();
      try (BulwarkServer server = shop.builder().start()) {
        List<String> skus = seedProducts(commerce, products);
        List<String> tokens = seedCustomers(commerce, maxClients);
        LongAdder confirmed = new LongAdder();
        LongAdder terminal = new LongAdder();
        commerce
            .events()
            .subscribe(
                e -> {
                  if (e.type().equals(OrderEvents.CONFIRMED)) {
                    confirmed.increment();
                    terminal.increment();
                  } else if (e.type().equals(OrderEvents.FAILED)) {
                    terminal.increment();
                  }
                });
        String jdbcUrl = pg.jdbcUrl(Platform.DATABASE);
        createBaselineTable(jdbcUrl);
        if (statements > 0) {
          sql(jdbcUrl, "create extension if not exists pg_stat_statements");
        }
        Orders orders = new Orders(server.baseUrl(), skus, tokens, confirmed, terminal);
        System.out.printf(
            Locale.ROOT,
            "order bench: %d cores, PostgreSQL %s (fsync on, synchronous_commit on), server pool"
                + " %d, saga workers %d; %d products, %d customers; %ds per order run, %ds per"
                + " baseline%n",
            Runtime.getRuntime().availableProcessors(),
            pg.dataDir(),
            ServerConfig.builder().build().poolSize(),
            sagaWorkers,
            skus.size(),
            tokens.size(),
            seconds,
            baselineSeconds);
        orders.run(Math.min(8, maxClients), Duration.ofSeconds(3)); // warm-up, not reported
        orders.drain(Duration.ofSeconds(30));
        List<Result> results = new ArrayList<>();
        for (int c : clients) {
          double commits = baseline(jdbcUrl, c, Duration.ofSeconds(baselineSeconds));
          long commitsBefore = databaseCommits(jdbcUrl);
          long confirmedBefore = confirmed.sum();
          long runStart = System.nanoTime();
          Result r = orders.run(c, Duration.ofSeconds(seconds));
          Drain drain = orders.drain(Duration.ofSeconds(drainSeconds));
          long confirmedInRun = confirmed.sum() - confirmedBefore;
          double endToEnd = confirmedInRun / ((System.nanoTime() - runStart) / 1e9);
          double commitsPerOrder =
              confirmedInRun == 0
                  ? Double.NaN
                  : (databaseCommits(jdbcUrl) - commitsBefore) / (double) confirmedInRun;
          results.add(
              new Result(
                  c,
                  commits,
                  r.acceptedPerSecond(),
                  r.confirmedPerSecond(),
                  r.p50Millis(),
                  r.p99Millis(),
                  r.errors(),
                  drain.seconds(),
                  drain.left(),
                  endToEnd,
                  commitsPerOrder));
          System.out.printf(Locale.ROOT, "  %d clients done%n", c);
        }
        print(results);
        if (statements > 0) {
          printStatements(jdbcUrl, statements);
        }
      }
    } finally {
      Trees.deleteQuietly(dir);
    }
    System.out.printf(Locale.ROOT, "total %.0f s%n", (System.nanoTime() - started) / 1e9);
  }

  static void print(List<Result> results) {
    System.out.println();
    System.out.println(
        "| clients | PG commits/s | orders accepted/s | accepted / commits | CONFIRMED/s under"
            + " load | p50 ms | p99 ms | errors | drain s | left after drain | CONFIRMED/s end to"
            + " end | commits per order |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "| %d | %.0f | %.0f | %.3f | %.0f | %.1f | %.1f | %d | %.1f | %d | %.0f | %.1f |%n",
          r.clients(),
          r.commitsPerSecond(),
          r.acceptedPerSecond(),
          r.acceptedPerSecond() / r.commitsPerSecond(),
          r.confirmedPerSecond(),
          r.p50Millis(),
          r.p99Millis(),
          r.errors(),
          r.drainSeconds(),
          r.backlogLeft(),
          r.endToEndPerSecond(),
          r.commitsPerOrder());
    }
  }

  /**
   * Transactions committed in the bench's database so far ({@code pg_stat_database.xact_commit},
   * read-only ones included: every commit the server asks of PostgreSQL). Backends report their
   * counts about once a second, so this waits that long first.
   */
  static long databaseCommits(String jdbcUrl) throws SQLException, InterruptedException {
    Thread.sleep(1_100);
    try (Connection c = DriverManager.getConnection(jdbcUrl, PostgresServer.SUPERUSER, "");
        var st = c.createStatement();
        var rs =
            st.executeQuery(
                "select xact_commit from pg_stat_database where datname = current_database()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void sql(String jdbcUrl, String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl, PostgresServer.SUPERUSER, "");
        var st = c.createStatement()) {
      st.execute(statement);
    }
  }

  /** The statements that took the most database time over the whole run (warm-up included). */
  static void printStatements(String jdbcUrl, int top) throws SQLException {
    System.out.println();
    System.out.println("| calls | total ms | mean ms | rows | statement |");
    System.out.println("|---:|---:|---:|---:|---|");
    try (Connection c = DriverManager.getConnection(jdbcUrl, PostgresServer.SUPERUSER, "");
        var ps =
            c.prepareStatement(
                "select calls, total_exec_time, mean_exec_time, rows, regexp_replace(query,"
                    + " '\\s+', ' ', 'g') from pg_stat_statements order by total_exec_time desc"
                    + " limit ?")) {
      ps.setInt(1, top);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          String q = rs.getString(5);
          System.out.printf(
              Locale.ROOT,
              "| %d | %.0f | %.3f | %d | `%s` |%n",
              rs.getLong(1),
              rs.getDouble(2),
              rs.getDouble(3),
              rs.getLong(4),
              q.length() > 160 ? q.substring(0, 160) + "…" : q);
        }
      }
    }
  }

  /** A server with the shop on {@code pg}'s database, paying through {@code payments}. */
  record Shop(BulwarkServer.Builder builder, Commerce commerce) {
    static Shop install(
        Path dir,
        String name,
        PostgresServer pg,
        PaymentSimulator payments,
        CommerceOptions.Builder options) {
      pg.createDatabaseIfMissing(Platform.DATABASE);
      BulwarkServer.Builder b =
          BulwarkServer.builder(
              ServerConfig.builder()
                  .name(name)
                  .home(dir)
                  .httpPort(0)
                  .jdbcUrl(pg.jdbcUrl(Platform.DATABASE))
                  .dbUser(PostgresServer.SUPERUSER)
                  .build());
      Commerce commerce =
          Commerce.install(
              b, options.paymentGateway(URI.create("http://127.0.0.1:" + payments.port())).build());
      return new Shop(b, commerce);
    }
  }

  static List<String> seedProducts(Commerce commerce, int n) {
    List<String> skus = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String sku = "BENCH-" + i;
      commerce
          .inventory()
          .create(new Product(sku, "Bench product " + i, 100 + i, "EUR", 0), 1_000_000_000);
      skus.add(sku);
    }
    return skus;
  }

  static List<String> seedCustomers(Commerce commerce, int n) {
    List<String> tokens = new ArrayList<>();
    commerce.identity().upsert("admin", ADMIN_PASSWORD, "Admin", Role.ADMIN);
    for (int i = 1; i <= n; i++) {
      User u =
          commerce
              .identity()
              .create("bench-customer-" + i, "customer-password", "Customer " + i, Role.CUSTOMER);
      tokens.add(commerce.accessTokens().issue(new Caller(u.id(), u.username(), u.role())));
    }
    return tokens;
  }

  static void createBaselineTable(String jdbcUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl, PostgresServer.SUPERUSER, "");
        Statement s = c.createStatement()) {
      s.execute(
          "create table if not exists bench_commits (id bigserial primary key, payload text not"
              + " null, created_at timestamptz not null default now())");
    }
  }

  /** Single-row INSERT + COMMIT per iteration on {@code clients} connections: commits/s. */
  static double baseline(String jdbcUrl, int clients, Duration window) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder commits = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    List<Connection> connections = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      connections.add(DriverManager.getConnection(jdbcUrl, PostgresServer.SUPERUSER, ""));
    }
    long start = System.nanoTime();
    for (Connection c : connections) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (c;
                        PreparedStatement ps =
                            c.prepareStatement("insert into bench_commits (payload) values (?)")) {
                      while (!stop.get()) {
                        ps.setString(1, "order-sized payload " + System.nanoTime());
                        ps.executeUpdate(); // auto-commit: one INSERT, one COMMIT
                        commits.increment();
                      }
                    } catch (SQLException e) {
                      throw new IllegalStateException("baseline insert failed", e);
                    }
                  }));
    }
    Thread.sleep(window.toMillis()); // the measurement window itself, not a synchronisation
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    return commits.sum() / ((System.nanoTime() - start) / 1e9);
  }

  /** Drives {@code POST /api/v1/orders} over HTTP. */
  static final class Orders {
    private final String baseUrl;
    private final List<String> skus;
    private final List<String> tokens;
    private final LongAdder confirmed;
    private final LongAdder terminal;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong keys = new AtomicLong();
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    Orders(
        String baseUrl,
        List<String> skus,
        List<String> tokens,
        LongAdder confirmed,
        LongAdder terminal) {
      this.baseUrl = baseUrl;
      this.skus = skus;
      this.tokens = tokens;
      this.confirmed = confirmed;
      this.terminal = terminal;
    }

    Result run(int clients, Duration window) throws InterruptedException {
      AtomicBoolean stop = new AtomicBoolean();
      Recorder latencies = new Recorder(3);
      LongAdder ok = new LongAdder();
      LongAdder errors = new LongAdder();
      List<Thread> threads = new ArrayList<>();
      long confirmedBefore = confirmed.sum();
      long start = System.nanoTime();
      for (int i = 0; i < clients; i++) {
        String token = tokens.get(i % tokens.size());
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      while (!stop.get()) {
                        HttpRequest request = order(token);
                        long t0 = System.nanoTime();
                        try {
                          HttpResponse<String> r =
                              http.send(request, HttpResponse.BodyHandlers.ofString());
                          long t1 = System.nanoTime();
                          if (r.statusCode() == 202) {
                            latencies.recordValue((t1 - t0) / 1000);
                            ok.increment();
                          } else {
                            errors.increment();
                          }
                        } catch (IOException e) {
                          errors.increment();
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                          return;
                        }
                      }
                    }));
      }
      Thread.sleep(window.toMillis()); // the measurement window itself, not a synchronisation
      long confirmedInWindow = confirmed.sum() - confirmedBefore;
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      accepted.addAndGet(ok.sum());
      Histogram h = latencies.getIntervalHistogram();
      return new Result(
          clients,
          0,
          ok.sum() / elapsed,
          confirmedInWindow / (window.toNanos() / 1e9),
          h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(99) / 1000.0,
          errors.sum(),
          0,
          0,
          0,
          Double.NaN);
    }

    /** Waits until every accepted order is CONFIRMED or FAILED; returns the seconds it took. */
    Drain drain(Duration atMost) throws InterruptedException {
      long start = System.nanoTime();
      long deadline = start + atMost.toNanos();
      while (terminal.sum() < accepted.get() && System.nanoTime() < deadline) {
        Thread.sleep(20); // polling a counter the saga's events advance
      }
      return new Drain((System.nanoTime() - start) / 1e9, accepted.get() - terminal.sum());
    }

    private HttpRequest order(String token) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int lines = 1 + random.nextInt(3);
      List<String> chosen = new ArrayList<>(skus);
      StringBuilder body = new StringBuilder("{\"items\":[");
      for (int i = 0; i < lines; i++) {
        String sku = chosen.remove(random.nextInt(chosen.size()));
        if (i > 0) {
          body.append(',');
        }
        body.append("{\"sku\":\"")
            .append(sku)
            .append("\",\"quantity\":")
            .append(1 + random.nextInt(2))
            .append('}');
      }
      body.append("]}");
      return HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/orders"))
          .timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json")
          .header("Authorization", "Bearer " + token)
          .header("Idempotency-Key", "bench-" + keys.incrementAndGet())
          .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
          .build();
    }
  }
}
