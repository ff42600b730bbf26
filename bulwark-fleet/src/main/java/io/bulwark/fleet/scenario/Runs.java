package io.bulwark.fleet.scenario;

import io.bulwark.fleet.load.LoadGenerator;
import io.bulwark.fleet.load.LoadResult;
import io.bulwark.fleet.stack.LocalStack;
import io.bulwark.fleet.stack.StackPlan;
import io.bulwark.topology.TopologyFile;
import io.bulwark.traffic.GatewayConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongFunction;

/** What the scenarios share: starting a topology, running load in the background, waiting. */
final class Runs {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  /** A request not answered within this counts as failed. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

  /** Outstanding requests at most, like a client's connection pool. */
  static final int MAX_IN_FLIGHT = 64;

  private Runs() {}

  /** Starts a topology given as YAML text on free ports and waits until it is in service. */
  static LocalStack start(String name, String yaml, ScenarioOptions options) {
    StackPlan plan =
        StackPlan.of(TopologyFile.parse(name + ".yaml", yaml), 0, GatewayConfig.ADMIN_DISABLED);
    options.progress().accept("starting gateway and " + describe(plan) + " ...");
    LocalStack stack = LocalStack.start(plan);
    if (!stack.awaitReady(READY_TIMEOUT)) {
      stack.close();
      throw new IllegalStateException(
          "the fleet did not come up within " + READY_TIMEOUT.toSeconds() + " s");
    }
    options.progress().accept("ready at " + stack.url());
    return stack;
  }

  private static String describe(StackPlan plan) {
    return String.join(
        ", ",
        plan.groups().stream()
            .map(
                g ->
                    g.config().desired()
                        + " instances of "
                        + g.config().name()
                        + " over "
                        + g.config().zones().size()
                        + " zones")
            .toList());
  }

  /**
   * A load generator with at most {@code maxInFlight} outstanding requests, handed to {@link
   * ScenarioOptions#loads()}.
   */
  static LoadGenerator load(ScenarioOptions options, int maxInFlight) {
    LoadGenerator load = LoadGenerator.create(REQUEST_TIMEOUT, maxInFlight);
    options.loads().accept(load);
    return load;
  }

  /** Runs load on its own thread until {@code stop} or {@code maxRequests}. */
  static CompletableFuture<LoadResult> background(
      LoadGenerator load,
      double rate,
      long maxRequests,
      BooleanSupplier stop,
      LongFunction<HttpRequest.Builder> request,
      Function<HttpResponse<?>, String> label) {
    CompletableFuture<LoadResult> result = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                result.complete(load.run(rate, maxRequests, stop, request, label));
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            },
            "scenario-load");
    t.setDaemon(true);
    t.start();
    return result;
  }

  /** GETs of items on the gateway: idempotent, so the gateway may retry them. */
  static LongFunction<HttpRequest.Builder> items(String url) {
    return n -> HttpRequest.newBuilder(URI.create(url + "/api/v1/items/" + (n % 1000))).GET();
  }

  /** Labels a response by one of its headers. */
  static Function<HttpResponse<?>, String> header(String name) {
    return r -> r.headers().firstValue(name).orElse("(none)");
  }

  /**
   * Waits until {@code condition} holds or {@code timeout} passes.
   *
   * @return whether it held
   */
  static boolean await(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() >= deadline || Thread.currentThread().isInterrupted()) {
        return false;
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
    return true;
  }

  /** Sleeps for pacing a scenario's timeline (not for synchronisation). */
  static void pause(Duration d) {
    long deadline = System.nanoTime() + d.toNanos();
    long left;
    while ((left = deadline - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
      LockSupport.parkNanos(left);
    }
  }

  /**
   * When background load stops: not before {@code minMillis} after {@code startNanos}, then as soon
   * as {@code settled} holds (the group recovered from the fault), and at {@code capMillis} at the
   * latest.
   */
  static BooleanSupplier stopWhenSettled(
      long startNanos, long minMillis, BooleanSupplier settled, long capMillis) {
    return () -> {
      long t = elapsedMillis(startNanos);
      return t >= minMillis && (settled.getAsBoolean() || t >= capMillis);
    };
  }

  static long elapsedMillis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /**
   * Adds to {@code violations} what the load itself broke: a failed request, no request at all, a
   * p99 latency over the options' {@linkplain ScenarioOptions#p99Bound() bound}.
   */
  static void loadHeld(LoadResult r, ScenarioOptions options, List<String> violations) {
    Duration bound = options.p99Bound();
    if (bound != null && r.p99Millis() > bound.toNanos() / 1e6) {
      violations.add(
          String.format(
              java.util.Locale.ROOT,
              "p99 latency %.1f ms exceeds the bound of %s",
              r.p99Millis(),
              io.bulwark.kernel.Durations.human(bound)));
    }
    if (r.failed() > 0) {
      violations.add(r.failed() + " of " + r.sent() + " requests failed");
    }
    if (r.sent() == 0) {
      violations.add("no request was sent");
    }
  }

  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** One region, three zones, one service {@code web} behind pool {@code main}. */
  static String singleRegion(int min, int max, int desired, int minHealthyPercent) {
    return """
        name: scenario
        profile: local
        regions:
          - name: local
            role: primary
            zones: [zone-a, zone-b, zone-c]
        services:
          - name: web
            instances: {min: %d, max: %d, desired: %d}
            health-check: {path: /health/ready, interval: 1s, timeout: 500ms}
            grace-period: 5s
            warm-up: 500ms
            deregistration-delay: 1s
            rolling: {min-healthy-percent: %d}
        traffic:
          pools:
            - {name: main, region: local, service: web, weight: 100}
        """
        .formatted(min, max, desired, minHealthyPercent);
  }

  /** Three clouds as regions, one instance each, pools weighted 50/30/20 with header rules. */
  static String threeClouds() {
    return """
        name: scenario-multi-cloud
        profile: local
        regions:
          - {name: aws, role: primary, provider: aws, zones: [aws-a]}
          - {name: azure, role: active, provider: azure, zones: [azure-a]}
          - {name: gcp, role: active, provider: gcp, zones: [gcp-a]}
        services:
          - name: app
            instances: {min: 3, max: 6, desired: 3}
            placement:
              per-region: {aws: 1, azure: 1, gcp: 1}
            health-check: {path: /health/ready, interval: 1s, timeout: 500ms}
        traffic:
          pools:
            - {name: aws, region: aws, service: app, weight: 50}
            - {name: azure, region: azure, service: app, weight: 30}
            - {name: gcp, region: gcp, service: app, weight: 20}
          headers:
            - {header: x-preferred-cloud, value: aws, pool: aws}
            - {header: x-preferred-cloud, value: azure, pool: azure}
            - {header: x-preferred-cloud, value: gcp, pool: gcp}
        """;
  }
}
