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
import io.bulwark.server.logging.JsonLogs;
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
 * --rounds N} (default 3), {@code --launch PATH} (default {@code ./bulwark}), {@code
 * --in-process-access-log true|false} (default true: the in-process server writes the same JSON
 * access-log line per request as the demo, so that both do the same work; false measures the demo's
 * logging as part of the gap). Each round also prints the CPU time per request of each process.
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
    boolean accessLog = true;
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
        case "--in-process-access-log" -> accessLog = Boolean.parseBoolean(args[i + 1]);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + args[i]
                    + "; options: --seconds N --warmup-seconds N --connections N --rounds N"
                    + " --launch PATH --in-process-access-log true|false");
      }
    }
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    Path dir = Files.createTempDirectory("bulwark-launch-bench-");
    if (accessLog) {
      // like with like: the demo writes a JSON access-log line per request (JsonLogs), and so does
      // the in-process server then; the bench's own console stays at WARN
      JsonLogs.toFile(dir.resolve("in-process-logs/bulwark.json"));
      // JsonLogs puts io.bulwark at INFO: keep the access lines out of the console, or the
      // in-process server would print every request a second time
      Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
      root.iteratorForAppenders()
          .forEachRemaining(
              a -> {
                if (a instanceof ch.qos.logback.core.ConsoleAppender<?>) {
                  ch.qos.logback.classic.filter.ThresholdFilter warn =
                      new ch.qos.logback.classic.filter.ThresholdFilter();
                  warn.setLevel("WARN");
                  warn.start();
                  a.addFilter(warn);
                }
              });
    }
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
                + " per round after %d s of warm-up each; in-process JSON access log: %s%n",
            Runtime.getRuntime().availableProcessors(),
            PATH,
            connections,
            seconds,
            warmupSeconds,
            accessLog ? "on, as the demo's" : "off");
        for (int k = 0; k < 2; k++) {
          clients[k].closedLoop(
              ports[k], connections, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(1));
        }
        System.out.println();
        System.out.println(
            "| round | server | req/s | p50 ms | p99 ms | errors | CPU µs/req: bench JVM | demo"
                + " JVM | bench's other processes | demo's other processes |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
          double[] rate = new double[2];
          for (int k = 0; k < 2; k++) {
            long[] before = cpuNanos(demo.toHandle());
            LoadClient.Result r =
                clients[k].closedLoop(
                    ports[k], connections, Duration.ofSeconds(1), Duration.ofSeconds(seconds));
            long[] after = cpuNanos(demo.toHandle());
            rate[k] = r.throughput();
            double requests = r.throughput() * (seconds + 1);
            System.out.printf(
                Locale.ROOT,
                "| %d | %s | %.0f | %.2f | %.2f | %d | %.0f | %.0f | %.0f | %.0f |%n",
                round,
                names[k],
                r.throughput(),
                r.p50(),
                r.p99(),
                r.errors(),
                (after[0] - before[0]) / 1e3 / requests,
                (after[1] - before[1]) / 1e3 / requests,
                (after[2] - before[2]) / 1e3 / requests,
                (after[3] - before[3]) / 1e3 / requests);
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

  /**
   * CPU time so far of this JVM (the load client and the in-process server), of the demo's JVM (the
   * launcher execs java), of this JVM's other descendants (its embedded PostgreSQL) and of the
   * demo's descendants (its PostgreSQL, the payment simulator), in nanoseconds; processes that
   * exited are not counted.
   */
  private static long[] cpuNanos(ProcessHandle demo) {
    List<ProcessHandle> demoTree = demo.descendants().toList();
    long demoOthers = 0;
    for (ProcessHandle h : demoTree) {
      demoOthers += cpu(h);
    }
    long benchOthers = 0;
    for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
      if (!h.equals(demo) && !demoTree.contains(h)) {
        benchOthers += cpu(h);
      }
    }
    return new long[] {cpu(ProcessHandle.current()), cpu(demo), benchOthers, demoOthers};
  }

  private static long cpu(ProcessHandle h) {
    return h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
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
