package io.bulwark.bench.commerce;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.bulwark.bench.gateway.LoadClient;
import io.bulwark.bench.gateway.NettyTransport;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.commerce.DemoData;
import io.bulwark.commerce.payment.simulator.PaymentSimulator;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.kernel.OwnedProcesses;
import io.bulwark.postgres.PostgresServer;
import io.bulwark.server.BulwarkServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The shop's read path as users start it against the same server in the bench's own JVM: {@code GET
 * /api/v1/products} with the demo customer's token, closed loop over keep-alive connections, rounds
 * alternating between {@code ./bulwark demo} (its own JVM, the launcher's flags, started as a user
 * starts it) and a server the bench starts in-process on its own embedded PostgreSQL with the same
 * demo data. Prints each round and the median ratio launched / in-process; issue 15's target is at
 * least 0.9.
 *
 * <p>Options: {@code --seconds N} per round (default 10), {@code --warmup-seconds N} before the
 * first round of each (default 15, for the JIT), {@code --connections N} (default 16), {@code
 * --rounds N} (default 3), {@code --launch PATH} (default {@code ./bulwark}).
 */
public final class LaunchBench {
  private static final String ADMIN_PASSWORD = "launch-bench-admin-password";
  private static final String PATH = "/api/v1/products";

  private LaunchBench() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (IllegalArgumentException e) {
      System.err.println("launch-bench: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void run(String[] args) throws Exception {
    int seconds = 10;
    int warmupSeconds = 15;
    int connections = 16;
    int rounds = 3;
    Path launcher = Path.of("./bulwark");
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(args[i + 1]);
        case "--connections" -> connections = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--launch" -> launcher = Path.of(args[i + 1]);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + args[i]
                    + "; options: --seconds N --warmup-seconds N --connections N --rounds N"
                    + " --launch PATH");
      }
    }
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    Path dir = Files.createTempDirectory("bulwark-launch-bench-");
    HttpClient http = HttpClient.newHttpClient();
    LoadClient[] clients = new LoadClient[2];
    int[] ports = new int[2];
    Process demo = null;
    try (PostgresServer pg = PostgresServer.builder(dir.resolve("pg")).build().start();
        PaymentSimulator payments =
            PaymentSimulator.start(
                SimulatorOptions.defaults()
                    .withLatency(Duration.ZERO, Duration.ZERO)
                    .withRates(0, 0, 0))) {
      OrderBench.Shop shop =
          OrderBench.Shop.install(dir, "in-process", pg, payments, CommerceOptions.builder());
      try (BulwarkServer server = shop.builder().start()) {
        DemoData.seed(shop.commerce(), ADMIN_PASSWORD);
        demo = startDemo(launcher, dir.resolve("demo-home"));
        BufferedReader out =
            new BufferedReader(
                new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
        String demoUrl = out.readLine(); // the demo prints its base URL once ready
        if (demoUrl == null) {
          throw new IllegalStateException(
              launcher + " demo exited before it was ready; see " + dir.resolve("demo-stderr.txt"));
        }
        Thread.ofPlatform().daemon().start(() -> FailoverBench.drain(out));
        String[] urls = {server.baseUrl(), demoUrl};
        String[] names = {"in-process", "./bulwark demo"};
        NettyTransport transport = NettyTransport.best();
        for (int k = 0; k < 2; k++) {
          String token =
              FailoverBench.login(http, urls[k], DemoData.CUSTOMER, DemoData.CUSTOMER_PASSWORD);
          clients[k] = new LoadClient(transport, PATH, Map.of("authorization", "Bearer " + token));
          ports[k] = URI.create(urls[k]).getPort();
        }
        System.out.printf(
            Locale.ROOT,
            "launch bench: %d cores, GET %s with the demo customer's token, %d connections, %d s"
                + " per round after %d s of warm-up each%n",
            Runtime.getRuntime().availableProcessors(),
            PATH,
            connections,
            seconds,
            warmupSeconds);
        for (int k = 0; k < 2; k++) {
          clients[k].closedLoop(
              ports[k], connections, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(1));
        }
        System.out.println();
        System.out.println("| round | server | req/s | p50 ms | p99 ms | errors |");
        System.out.println("|---:|---|---:|---:|---:|---:|");
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
          double[] rate = new double[2];
          for (int k = 0; k < 2; k++) {
            LoadClient.Result r =
                clients[k].closedLoop(
                    ports[k], connections, Duration.ofSeconds(1), Duration.ofSeconds(seconds));
            rate[k] = r.throughput();
            System.out.printf(
                Locale.ROOT,
                "| %d | %s | %.0f | %.2f | %.2f | %d |%n",
                round,
                names[k],
                r.throughput(),
                r.p50(),
                r.p99(),
                r.errors());
          }
          ratios.add(rate[1] / rate[0]);
        }
        List<Double> sorted = ratios.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        System.out.printf(
            Locale.ROOT,
            "%nlaunched / in-process req/s per round: %s; median %.2fx (target >= 0.90x) %s%n",
            ratios.stream().map(r -> String.format(Locale.ROOT, "%.2fx", r)).toList(),
            median,
            median >= 0.9 ? "OK" : "MISSED");
      }
    } finally {
      if (demo != null) {
        List<ProcessHandle> everything = demo.toHandle().descendants().toList();
        demo.destroy();
        if (!demo.waitFor(60, TimeUnit.SECONDS)) {
          demo.destroyForcibly();
        }
        everything.forEach(ProcessHandle::destroyForcibly);
      }
    }
  }

  private static Process startDemo(Path launcher, Path home) throws Exception {
    Files.createDirectories(home);
    return OwnedProcesses.startDyingWithOwner(
        new ProcessBuilder(
                launcher.toString(),
                "demo",
                "--port",
                "0",
                "--home",
                home.toString(),
                "--admin-password",
                ADMIN_PASSWORD)
            .redirectError(home.resolveSibling("demo-stderr.txt").toFile()),
        "SIGTERM");
  }
}
