package io.bulwark.bench.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.bulwark.traffic.Gateway;
import io.bulwark.traffic.GatewayConfig;
import io.bulwark.traffic.PoolConfig;
import io.bulwark.traffic.TargetConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Gateway throughput and added latency versus calling the backend directly and versus HAProxy
 * proxying the same backend, measured in the same run on this machine.
 *
 * <ol>
 *   <li>Saturation: closed loop ({@code wrk} when installed, else {@link LoadClient}) against the
 *       backend, HAProxy and the gateway: maximum requests per second, p50 and p99.
 *   <li>Half load: open loop at 50% of the gateway's maximum rate against all three: p50 and p99,
 *       and what the proxies add over the direct call.
 * </ol>
 *
 * <p>Run with {@code bulwark-bench/haproxy-bench.sh} (installs HAProxy and wrk from Debian's
 * packages when missing). Options: {@code --seconds N} per measurement (default 4), {@code
 * --connections N} (default 32), {@code --rounds N} (default 3; contenders alternate, each reports
 * its median round), {@code --jit-warmup N} seconds of load on the gateway before the first round
 * (default 10).
 */
public final class GatewayBench {
  private static final int PROXY_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private GatewayBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = 4;
    int connections = 32;
    int rounds = 3;
    int jitSeconds = 10;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--connections" -> connections = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--jit-warmup" -> jitSeconds = Integer.parseInt(args[i + 1]);
        default -> {
          System.err.println(
              "unknown option "
                  + args[i]
                  + "; use --seconds N --connections N --rounds N --jit-warmup N");
          System.exit(2);
        }
      }
    }
    // Logging stays quiet: neither contender logs requests during the run.
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    Duration measure = Duration.ofSeconds(seconds);
    Duration warmup = Duration.ofSeconds(2);
    String loadBefore = loadAverage();
    NettyTransport transport = NettyTransport.best();
    LoadClient client = new LoadClient(transport);
    Optional<Path> wrk = Wrk.find();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    try (BenchBackend backend = new BenchBackend(transport, 1);
        Haproxy haproxy = Haproxy.start(backend.port(), PROXY_THREADS);
        Gateway gateway =
            Gateway.start(
                GatewayConfig.builder()
                    .accessLog(false)
                    .pool(
                        PoolConfig.builder("bench")
                            .noHealthCheck()
                            .target(TargetConfig.of("b1", "127.0.0.1", backend.port()))
                            .build())
                    .build(),
                registry)) {
      Map<String, Integer> ports = new LinkedHashMap<>();
      ports.put("direct", backend.port());
      ports.put("haproxy", haproxy.port());
      ports.put("gateway", gateway.port());
      System.out.printf(
          Locale.ROOT,
          "gateway bench: %d cores, %s transport, load by %s, %d connections, %d rounds of %ds"
              + " per measurement; %s%n",
          Runtime.getRuntime().availableProcessors(),
          transport.name(),
          wrk.map(p -> "wrk -t1").orElse("the built-in closed-loop client"),
          connections,
          rounds,
          seconds,
          haproxy.version());

      // Warm the JIT of the gateway (and the backend) before anything counts: HAProxy is native
      // code from the start, the gateway reaches its steady state once C2 has compiled its hot
      // path, which takes longer when other work competes for the cores.
      saturate(client, wrk, gateway.port(), connections, Duration.ofSeconds(jitSeconds), warmup);

      Map<String, CpuMeter> cpu = new LinkedHashMap<>();
      cpu.put("direct", CpuMeter.threads("bench-backend"));
      cpu.put("haproxy", CpuMeter.process(haproxy.pid()));
      cpu.put("gateway", CpuMeter.threads("bulwark-gateway"));
      // Rounds alternate the contenders so drifting background load hits each alike; each
      // contender reports its median round (by throughput at saturation, by p99 at half load).
      Map<String, List<Round>> saturation = new LinkedHashMap<>();
      for (int round = 0; round < rounds; round++) {
        for (var e : ports.entrySet()) {
          long before = cpu.get(e.getKey()).cpuNanos();
          LoadClient.Result r = saturate(client, wrk, e.getValue(), connections, measure, warmup);
          long used = cpu.get(e.getKey()).cpuNanos() - before;
          saturation
              .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
              .add(new Round(r, used / 1000.0 / Math.max(1, r.requests())));
        }
      }
      Map<String, LoadClient.Result> max = new LinkedHashMap<>();
      Map<String, Double> cpuPerRequest = new LinkedHashMap<>();
      saturation.forEach(
          (name, list) -> {
            Round median =
                median(list, Comparator.comparingDouble((Round r) -> r.result().throughput()));
            max.put(name, median.result());
            cpuPerRequest.put(name, median.cpuMicrosPerRequest());
          });
      double rate = Math.floor(max.get("gateway").throughput() / 2);
      Map<String, List<LoadClient.Result>> halfRounds = new LinkedHashMap<>();
      for (int round = 0; round < rounds; round++) {
        for (var e : ports.entrySet()) {
          halfRounds
              .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
              .add(client.openLoop(e.getValue(), connections, rate, warmup, measure));
        }
      }
      Map<String, LoadClient.Result> half = new LinkedHashMap<>();
      halfRounds.forEach(
          (name, list) ->
              half.put(name, median(list, Comparator.comparingDouble(LoadClient.Result::p99))));
      double connects =
          registry.get("bulwark.gateway.upstream.connects").counters().stream()
              .mapToDouble(c -> c.count())
              .sum();
      print(max, cpuPerRequest, half, rate, connects);
      System.out.println(
          "load average (1, 5, 15 min) before: " + loadBefore + "; after: " + loadAverage());
    }
  }

  /** One saturation round of one contender. */
  private record Round(LoadClient.Result result, double cpuMicrosPerRequest) {}

  private static <T> T median(List<T> values, Comparator<T> order) {
    List<T> sorted = new ArrayList<>(values);
    sorted.sort(order);
    return sorted.get(sorted.size() / 2);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static LoadClient.Result saturate(
      LoadClient client,
      Optional<Path> wrk,
      int port,
      int connections,
      Duration measure,
      Duration warmup) {
    if (wrk.isPresent()) {
      return Wrk.run(wrk.get(), port, connections, measure);
    }
    return client.closedLoop(port, connections, warmup, measure);
  }

  private static void print(
      Map<String, LoadClient.Result> max,
      Map<String, Double> cpuPerRequest,
      Map<String, LoadClient.Result> half,
      double rate,
      double connects) {
    LoadClient.Result direct = half.get("direct");
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%-8s | %10s %8s %8s %8s | %9s %8s %8s %8s | %10s %10s%n",
        "target",
        "max req/s",
        "p50 ms",
        "p99 ms",
        "cpu us/r",
        "@req/s",
        "p50 ms",
        "p99 ms",
        "p99.9 ms",
        "added p50",
        "added p99");
    for (String name : max.keySet()) {
      LoadClient.Result m = max.get(name);
      LoadClient.Result h = half.get(name);
      System.out.printf(
          Locale.ROOT,
          "%-8s | %10.0f %8.3f %8.3f %8.1f | %9.0f %8.3f %8.3f %8.3f | %10s %10s%n",
          name,
          m.throughput(),
          m.p50(),
          m.p99(),
          cpuPerRequest.get(name),
          h.throughput(),
          h.p50(),
          h.p99(),
          h.p999(),
          name.equals("direct") ? "-" : String.format(Locale.ROOT, "%.3f", h.p50() - direct.p50()),
          name.equals("direct") ? "-" : String.format(Locale.ROOT, "%.3f", h.p99() - direct.p99()));
    }
    double ratio = max.get("gateway").throughput() / max.get("haproxy").throughput();
    double addedP99 = half.get("gateway").p99() - direct.p99();
    long errors =
        max.values().stream().mapToLong(LoadClient.Result::errors).sum()
            + half.values().stream().mapToLong(LoadClient.Result::errors).sum();
    long proxied = max.get("gateway").requests() + half.get("gateway").requests();
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "throughput gateway/haproxy: %.2fx (target >= 0.5x) %s%n",
        ratio,
        ratio >= 0.5 ? "OK" : "BELOW TARGET");
    System.out.printf(
        Locale.ROOT,
        "CPU per request gateway/haproxy: %.2fx (cpu us/r: the contender's own threads only;"
            + " direct = the backend)%n",
        cpuPerRequest.get("gateway") / cpuPerRequest.get("haproxy"));
    System.out.printf(
        Locale.ROOT,
        "gateway added p99 at 50%% load (%.0f req/s): %.3f ms (target < 1 ms) %s%n",
        rate,
        addedP99,
        addedP99 < 1 ? "OK" : "ABOVE TARGET");
    System.out.printf(
        Locale.ROOT,
        "errors: %d; gateway opened %.0f upstream connections for %d+ proxied requests%n",
        errors,
        connects,
        proxied);
  }
}
