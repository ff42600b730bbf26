package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoutingTest {
  private final List<TestBackend> backends = new ArrayList<>();
  private Gateway gateway;

  @AfterEach
  void stopAll() {
    if (gateway != null) {
      gateway.close(Duration.ofSeconds(2));
    }
    backends.forEach(TestBackend::close);
  }

  private PoolConfig pool(String name, int weight, String... targetIds) {
    PoolConfig.Builder b = PoolConfig.builder(name).weight(weight).noHealthCheck();
    for (String id : targetIds) {
      TestBackend backend = TestBackend.start(id);
      backends.add(backend);
      b.target(backend.target());
    }
    return b.build();
  }

  private GatewayConfig.Builder threeClouds() {
    return GatewayConfig.builder()
        .pool(pool("aws", 50, "aws-1", "aws-2"))
        .pool(pool("azure", 30, "azure-1"))
        .pool(pool("gcp", 20, "gcp-1"))
        .rule(new RoutingRule.Header("x-preferred-cloud", "gcp", "gcp"))
        .rule(RoutingRule.Geo.byRegion(Map.of("eu-west", "azure")));
  }

  private static String poolOf(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body().substring(0, response.body().indexOf('-'));
  }

  private Map<String, Integer> spread(int requests, String... headers) throws Exception {
    Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    AtomicInteger remaining = new AtomicInteger(requests);
    List<Future<?>> loops = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      loops.add(
          clients.submit(
              () -> {
                while (remaining.getAndDecrement() > 0) {
                  String pool = poolOf(Http.get(gateway.port(), "/catalog", headers));
                  counts.computeIfAbsent(pool, p -> new AtomicInteger()).incrementAndGet();
                }
              }));
    }
    for (Future<?> loop : loops) {
      loop.get();
    }
    clients.shutdown();
    Map<String, Integer> result = new ConcurrentHashMap<>();
    counts.forEach((k, v) -> result.put(k, v.get()));
    return result;
  }

  @Test
  void splitsTenThousandRequestsFiftyThirtyTwentyWithinTwoPercent() throws Exception {
    gateway = Gateway.start(threeClouds().build());

    Map<String, Integer> counts = spread(10_000);

    assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10_000);
    assertThat(counts.get("aws")).isBetween(4_800, 5_200);
    assertThat(counts.get("azure")).isBetween(2_800, 3_200);
    assertThat(counts.get("gcp")).isBetween(1_800, 2_200);
  }

  @Test
  void sendsEveryRequestPreferringGcpToTheGcpPool() throws Exception {
    gateway = Gateway.start(threeClouds().build());

    Map<String, Integer> counts = spread(500, "x-preferred-cloud", "gcp");

    assertThat(counts).containsOnly(Map.entry("gcp", 500));
  }

  @Test
  void matchesThePreferredCloudHeaderExactly() throws Exception {
    gateway = Gateway.start(threeClouds().build());

    Map<String, Integer> counts = spread(100, "x-preferred-cloud", "GCP");

    assertThat(counts.keySet()).contains("aws", "azure");
  }

  @Test
  void steersAClientRegionToItsPool() throws Exception {
    gateway = Gateway.start(threeClouds().build());

    assertThat(spread(100, "x-client-region", "eu-west")).containsOnly(Map.entry("azure", 100));
    assertThat(spread(100, "x-client-region", "mars").keySet()).contains("aws", "gcp");
  }

  @Test
  void steersClientsByAddressBlock() throws Exception {
    gateway =
        Gateway.start(
            threeClouds()
                .rule(new RoutingRule.Cidr("10.0.0.0/8", "aws"))
                .rule(new RoutingRule.Cidr("127.0.0.0/8", "gcp"))
                .build());

    assertThat(spread(50)).containsOnly(Map.entry("gcp", 50));
  }

  @Test
  void balancesWithinAPoolToTheTargetWithFewestOutstandingRequests() throws Exception {
    gateway = Gateway.start(GatewayConfig.builder().pool(pool("aws", 1, "aws-1", "aws-2")).build());
    TestBackend slowOne = backends.get(0);
    ExecutorService clients = Executors.newFixedThreadPool(2);
    try {
      Future<HttpResponse<String>> stuck = clients.submit(() -> Http.get(gateway.port(), "/slow"));
      await().until(() -> slowOne.slowStarted() == 1 || backends.get(1).slowStarted() == 1);
      TestBackend busy = slowOne.slowStarted() == 1 ? slowOne : backends.get(1);
      TestBackend idle = busy == slowOne ? backends.get(1) : slowOne;
      int before = idle.requests();
      for (int i = 0; i < 20; i++) {
        assertThat(Http.get(gateway.port(), "/fast").body()).isEqualTo(idle.id);
      }
      assertThat(idle.requests()).isEqualTo(before + 20);
      busy.releaseSlow();
      idle.releaseSlow();
      assertThat(stuck.get().statusCode()).isEqualTo(200);
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void failingOpenTriesEachTargetOnceAndThenAnswers503() throws Exception {
    int nobody;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      nobody = s.getLocalPort();
    }
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .pool(
                    PoolConfig.builder("gone")
                        .weight(100)
                        .healthCheck(
                            HealthCheck.builder()
                                .interval(Duration.ofMillis(100))
                                .timeout(Duration.ofMillis(100))
                                .build())
                        .target(TargetConfig.of("gone-1", "127.0.0.1", nobody))
                        .build())
                .adminPort(0)
                .build());
    await().until(() -> !gateway.pool("gone").serving());
    HttpResponse<String> r = Http.get(gateway.port(), "/");
    assertThat(r.statusCode()).isIn(502, 503);
    assertThat(r.headers().firstValue("content-type"))
        .hasValue("application/problem+json; charset=utf-8");
    assertThat(Http.get(gateway.adminPort(), "/metrics").body())
        .containsPattern("bulwark_gateway_fail_open_total [1-9]");
  }

  @Test
  void fallsBackWhenEveryTargetOfThePoolIsUnhealthy() throws Exception {
    HealthCheck quick =
        HealthCheck.builder()
            .interval(Duration.ofMillis(100))
            .timeout(Duration.ofMillis(100))
            .build();
    TestBackend primary = TestBackend.start("primary-1");
    TestBackend dr = TestBackend.start("dr-1");
    backends.add(primary);
    backends.add(dr);
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .pool(
                    PoolConfig.builder("primary")
                        .weight(100)
                        .healthCheck(quick)
                        .target(primary.target())
                        .build())
                .pool(
                    PoolConfig.builder("dr")
                        .weight(0)
                        .healthCheck(quick)
                        .target(dr.target())
                        .build())
                .fallbackPool("dr")
                .build());
    assertThat(poolOf(Http.get(gateway.port(), "/"))).isEqualTo("primary");

    primary.healthStatus(503);
    await().until(() -> !gateway.pool("primary").serving());

    assertThat(spread(50)).containsOnly(Map.entry("dr", 50));

    // every target fails its checks: the gateway fails open to the weighted pool's targets,
    // which may well answer (their checks fail for a reason the requests do not share)
    dr.healthStatus(500);
    await().until(() -> !gateway.pool("dr").serving());
    assertThat(spread(20)).containsOnly(Map.entry("primary", 20));

    primary.healthStatus(200);
    await().until(() -> gateway.pool("primary").serving());
    assertThat(poolOf(Http.get(gateway.port(), "/"))).isEqualTo("primary");
  }

  @Test
  void neverRoutesToADisabledPool() throws Exception {
    gateway = Gateway.start(threeClouds().build());
    gateway.setPoolEnabled("aws", false);

    Map<String, Integer> counts = spread(500);

    assertThat(counts).containsOnlyKeys("azure", "gcp");
    assertThat(counts.get("azure")).isBetween(290, 310);
  }
}
