package io.bulwark.bench.commerce;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.commerce.DemoData;
import io.bulwark.commerce.payment.simulator.PaymentSimulator;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.ClusterStatus;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.LocalClusters;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.OwnedProcesses;
import io.bulwark.platform.Platform;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * Failover time of the shop's database, measured as a user sees it: from {@code kill -9} of the
 * primary (its agent and its PostgreSQL) to the first order accepted (202, committed) by the shop
 * whose request was sent after the kill. The cluster is the one {@code demo --ha} runs: a primary
 * and a synchronous standby in another zone, a three-member ZooKeeper ensemble, session timeout 3
 * s. Each run waits for the killed member to rejoin as a synchronous standby before the next. At
 * the end every accepted order is read back (acknowledged orders lost). Also, in the same run,
 * commits/s of single-row INSERT + COMMIT with the synchronous standby and with the primary alone.
 *
 * <p>Options: {@code --runs 10} {@code --clients 2} (order clients during failovers) {@code
 * --throughput-clients 4} {@code --throughput-seconds 10}; {@code --launch ./bulwark} runs the
 * failovers against {@code ./bulwark demo --ha} as a user starts it instead (no commit-rate figures
 * then).
 */
public final class FailoverBench {

  private static final String LAUNCH_ADMIN_PASSWORD = "bench-admin-password";

  private FailoverBench() {}

  public static void main(String[] args) throws Exception {
    int runs = 10;
    int clients = 2;
    int throughputClients = 4;
    int throughputSeconds = 10;
    Path launcher = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        case "--clients" -> clients = Integer.parseInt(args[i + 1]);
        case "--throughput-clients" -> throughputClients = Integer.parseInt(args[i + 1]);
        case "--throughput-seconds" -> throughputSeconds = Integer.parseInt(args[i + 1]);
        case "--launch" -> launcher = Path.of(args[i + 1]);
        default -> {
          System.err.println(
              "unknown option "
                  + args[i]
                  + "; use --runs N --clients N --throughput-clients N"
                  + " --throughput-seconds N --launch ./bulwark");
          System.exit(2);
        }
      }
    }
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    if (launcher != null) {
      throughLauncher(launcher, runs, clients);
      return;
    }
    Path dir = Files.createTempDirectory("bulwark-failover-bench-");
    PrintWriter err = new PrintWriter(System.err, true);
    ClusterSpec spec = LocalClusters.demo(dir.resolve("db"));
    try (DatabaseCluster db = DatabaseCluster.create(spec).start(err);
        PaymentSimulator payments =
            PaymentSimulator.start(
                SimulatorOptions.defaults()
                    .withLatency(Duration.ZERO, Duration.ZERO)
                    .withRates(0, 0, 0))) {
      LocalClusters.createDatabaseIfMissing(db.jdbcUrl("postgres"), Platform.DATABASE);
      String url = db.jdbcUrl(Platform.DATABASE);
      BulwarkServer.Builder b =
          BulwarkServer.builder(
              ServerConfig.builder()
                  .name("bench")
                  .home(dir)
                  .httpPort(0)
                  .jdbcUrl(url)
                  .dbUser("postgres")
                  .build());
      Commerce commerce =
          Commerce.install(
              b,
              CommerceOptions.builder()
                  .bcryptCost(4)
                  .paymentGateway(URI.create("http://127.0.0.1:" + payments.port()))
                  .build());
      try (BulwarkServer server = b.start()) {
        List<String> skus = OrderBench.seedProducts(commerce, 10);
        List<String> tokens = OrderBench.seedCustomers(commerce, clients);

        OrderBench.createBaselineTable(url);
        double withSync =
            OrderBench.baseline(url, throughputClients, Duration.ofSeconds(throughputSeconds));
        String standby = other(db.status());
        db.stopMember(standby);
        awaitAlone(db, standby);
        double alone =
            OrderBench.baseline(url, throughputClients, Duration.ofSeconds(throughputSeconds));
        db.startMember(standby);
        awaitSync(db);

        measure(server.baseUrl(), db, tokens, skus, runs, clients);
        System.out.printf(
            Locale.ROOT,
            "commits/s (%d clients, single-row INSERT + COMMIT, %d s): with a sync standby %.0f,"
                + " primary alone %.0f (%.0f%%)%n",
            throughputClients,
            throughputSeconds,
            withSync,
            alone,
            100 * withSync / alone);
      }
    }
  }

  /**
   * The same runs against {@code launcher demo --ha} as a user starts it: the shop's three {@code
   * serve} processes behind the gateway, with the JVM flags the launcher gives them, and the
   * cluster's agents and ZooKeeper as their own processes. Orders go through the gateway.
   */
  private static void throughLauncher(Path launcher, int runs, int clients) throws Exception {
    Path home = Files.createTempDirectory("bulwark-failover-launch-");
    Path stderr = home.resolve("demo-stderr.txt");
    System.out.println("starting " + launcher + " demo --ha --home " + home + " ...");
    // SIGTERM if this bench dies: the demo then stops its cluster as on Ctrl-C
    Process demo =
        OwnedProcesses.startDyingWithOwner(
            new ProcessBuilder(
                    launcher.toString(),
                    "demo",
                    "--ha",
                    "--port",
                    "0",
                    "--home",
                    home.toString(),
                    "--admin-password",
                    LAUNCH_ADMIN_PASSWORD)
                .redirectError(stderr.toFile()),
            "SIGTERM");
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
      String url = out.readLine();
      if (url == null) {
        throw new IllegalStateException("demo --ha exited before it was ready; see " + stderr);
      }
      Thread.ofPlatform().daemon().start(() -> drain(out));
      HttpClient http = HttpClient.newHttpClient();
      String admin = login(http, url, "admin", LAUNCH_ADMIN_PASSWORD);
      List<String> skus = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        String sku = "BENCH-" + i;
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url + "/api/v1/products"))
                    .header("Authorization", "Bearer " + admin)
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"sku\":\""
                                + sku
                                + "\",\"name\":\"Bench product\",\"price\":100,"
                                + "\"available\":1000000000}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
          throw new IllegalStateException("cannot create " + sku + ": " + r.body());
        }
        skus.add(sku);
      }
      List<String> tokens = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        tokens.add(login(http, url, DemoData.CUSTOMER, DemoData.CUSTOMER_PASSWORD));
      }
      try (DatabaseCluster db = DatabaseCluster.open(home.resolve("demo").resolve("db"))) {
        awaitSync(db);
        measure(url, db, tokens, skus, runs, clients);
      }
    } finally {
      List<ProcessHandle> everything = demo.toHandle().descendants().toList();
      demo.destroy();
      if (!demo.waitFor(60, TimeUnit.SECONDS)) {
        demo.destroyForcibly();
      }
      everything.forEach(ProcessHandle::destroyForcibly);
    }
  }

  static String login(HttpClient http, String url, String user, String password) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("login of " + user + " failed: " + r.body());
    }
    return Json.parse(r.body()).get("accessToken").asText();
  }

  static void drain(BufferedReader out) {
    try {
      out.transferTo(Writer.nullWriter());
    } catch (IOException e) {
      // the demo stopped
    }
  }

  /**
   * Kills the primary {@code runs} times while {@code clients} place orders at {@code baseUrl},
   * prints each run and the summary, and reads every accepted order back.
   */
  private static void measure(
      String baseUrl,
      DatabaseCluster db,
      List<String> tokens,
      List<String> skus,
      int runs,
      int clients)
      throws Exception {
    Map<String, String> accepted = new ConcurrentHashMap<>();
    List<double[]> results = new ArrayList<>();
    List<String> moves = new ArrayList<>();
    HttpClient http = HttpClient.newHttpClient();
    for (int run = 1; run <= runs; run++) {
      String primary = db.status().leader().orElseThrow();
      AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
      AtomicLong firstAfter = new AtomicLong(Long.MAX_VALUE);
      AtomicBoolean placing = new AtomicBoolean(true);
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        String token = tokens.get(c);
        int client = c;
        int r = run;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      long n = 0;
                      while (placing.get()) {
                        String key = "run" + r + "-c" + client + "-" + n++;
                        long sent = System.nanoTime();
                        try {
                          HttpResponse<String> resp =
                              http.send(
                                  HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/orders"))
                                      .timeout(Duration.ofSeconds(30))
                                      .header("Authorization", "Bearer " + token)
                                      .header("Content-Type", "application/json")
                                      .header("Idempotency-Key", key)
                                      .POST(
                                          HttpRequest.BodyPublishers.ofString(
                                              "{\"items\":[{\"sku\":\""
                                                  + skus.get((int) (n % skus.size()))
                                                  + "\",\"quantity\":1}]}"))
                                      .build(),
                                  HttpResponse.BodyHandlers.ofString());
                          if (resp.statusCode() == 202 || resp.statusCode() == 201) {
                            String id = resp.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
                            accepted.put(key, id);
                            if (sent > killedAt.get()) {
                              firstAfter.accumulateAndGet(System.nanoTime(), Math::min);
                            }
                          } else {
                            LockSupport.parkNanos(20_000_000L);
                          }
                        } catch (Exception e) {
                          LockSupport.parkNanos(20_000_000L);
                        }
                      }
                    }));
      }
      LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
      killedAt.set(System.nanoTime());
      db.killMember(primary);
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (firstAfter.get() == Long.MAX_VALUE && System.nanoTime() < deadline) {
        LockSupport.parkNanos(10_000_000L);
      }
      placing.set(false);
      for (Thread t : threads) {
        t.join();
      }
      double seconds = (firstAfter.get() - killedAt.get()) / 1e9;
      String to = db.status().leader().orElse("?");
      results.add(new double[] {seconds});
      moves.add(primary + " → " + to);
      System.out.printf(
          Locale.ROOT,
          "run %d: %s, first order accepted %.2f s after kill -9%n",
          run,
          primary + " → " + to,
          seconds);
      awaitSync(db);
    }
    long lost = 0;
    for (String id : accepted.values()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/orders/" + id))
                  .header("Authorization", "Bearer " + tokens.get(0))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 404) {
        lost++;
      }
    }
    double[] s = results.stream().mapToDouble(x -> x[0]).sorted().toArray();
    System.out.println();
    System.out.println("| run | primary moved | kill -9 → first accepted order |");
    System.out.println("|---:|---|---:|");
    for (int i = 0; i < results.size(); i++) {
      System.out.printf(
          Locale.ROOT, "| %d | %s | %.2f s |%n", i + 1, moves.get(i), results.get(i)[0]);
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "failover over %d runs: p50 %.2f s, max %.2f s; %d orders accepted, %d lost%n",
        s.length,
        s[(s.length - 1) / 2],
        s[s.length - 1],
        accepted.size(),
        lost);
    System.out.println(Arrays.toString(s));
  }

  private static String other(ClusterStatus s) {
    return s.members().stream()
        .filter(m -> !m.role().equals("primary"))
        .findFirst()
        .orElseThrow()
        .name();
  }

  private static void awaitAlone(DatabaseCluster db, String standby) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      ClusterStatus s = db.status();
      if (s.members().stream().noneMatch(ClusterStatus.Member::sync)
          && !s.member(standby).orElseThrow().streaming()) {
        LockSupport.parkNanos(Duration.ofSeconds(2).toNanos()); // the primary drops the sync set
        return;
      }
      LockSupport.parkNanos(100_000_000L);
    }
    throw new IllegalStateException("the standby did not stop: " + db.status().toJson());
  }

  private static void awaitSync(DatabaseCluster db) {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (System.nanoTime() < deadline) {
      ClusterStatus s = db.status();
      if (s.leader().isPresent() && s.members().stream().anyMatch(ClusterStatus.Member::sync)) {
        return;
      }
      LockSupport.parkNanos(200_000_000L);
    }
    throw new IllegalStateException("no synchronous standby again: " + db.status().toJson());
  }
}
