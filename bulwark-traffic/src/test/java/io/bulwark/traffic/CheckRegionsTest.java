package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's health monitor {@code check_regions}: only gateways in those regions probe a pool; a
 * gateway elsewhere takes target health from them.
 */
class CheckRegionsTest {
  private final TestBackend web1 = TestBackend.start("web-1");
  private final TestBackend web2 = TestBackend.start("web-2");
  private Gateway enam;
  private Gateway weu;

  @AfterEach
  void stop() {
    for (Gateway g : new Gateway[] {weu, enam}) {
      if (g != null) {
        g.close(Duration.ofSeconds(2));
      }
    }
    web1.close();
    web2.close();
  }

  private static PoolConfig pool(TestBackend... backends) {
    PoolConfig.Builder pool =
        PoolConfig.builder("web")
            .outlierDetection(OutlierDetection.disabled())
            .healthCheck(
                HealthCheck.builder()
                    .interval(Duration.ofMillis(100))
                    .timeout(Duration.ofMillis(100))
                    .healthyThreshold(1)
                    .unhealthyThreshold(1)
                    .checkRegions(Set.of("ENAM"))
                    .build());
    for (TestBackend b : backends) {
      pool.target(b.target());
    }
    return pool.build();
  }

  private static Set<String> servedBy(Gateway gateway, int requests) {
    Set<String> served = new HashSet<>();
    for (int i = 0; i < requests; i++) {
      served.add(Http.get(gateway.port(), "/").body());
    }
    return served;
  }

  @Test
  void aGatewayOutsideTheCheckRegionsFollowsTheProbesOfOneInside() throws Exception {
    enam =
        Gateway.start(
            GatewayConfig.builder().adminPort(0).region("ENAM").pool(pool(web1, web2)).build());
    weu =
        Gateway.start(
            GatewayConfig.builder()
                .adminPort(0)
                .region("WEU")
                .peer(URI.create("http://127.0.0.1:" + enam.adminPort()))
                .pool(pool(web1, web2))
                .build());

    JsonNode report = Json.mapper().readTree(Http.get(weu.adminPort(), "/admin/health").body());
    assertThat(report.path("region").asText()).isEqualTo("WEU");
    assertThat(report.path("pools").path("web").path("probed").asBoolean()).isFalse();

    web1.healthStatus(503);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(enam.target("web-1").healthy()).isFalse());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(weu.target("web-1").healthy()).isFalse());
    assertThat(servedBy(weu, 6)).containsExactly("web-2");

    web1.healthStatus(200);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(weu.target("web-1").healthy()).isTrue());
    assertThat(servedBy(weu, 6)).containsExactlyInAnyOrder("web-1", "web-2");
  }

  @Test
  void aGatewayOutsideTheCheckRegionsDoesNotProbe() {
    weu = Gateway.start(GatewayConfig.builder().region("WEU").pool(pool(web1, web2)).build());

    web1.healthStatus(503);

    // Its own probes would mark web-1 down within 200 ms; with none, web-1 keeps serving.
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(weu.target("web-1").healthy()).isTrue());
    assertThat(servedBy(weu, 4)).contains("web-1");
  }

  @Test
  void aGatewayWithoutARegionProbesEveryPool() {
    enam = Gateway.start(GatewayConfig.builder().pool(pool(web1, web2)).build());

    web1.healthStatus(503);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(enam.target("web-1").healthy()).isFalse());
    assertThat(List.copyOf(servedBy(enam, 4))).containsExactly("web-2");
  }

  @Test
  void honoursTheExpectedStatuses() {
    enam =
        Gateway.start(
            GatewayConfig.builder()
                .pool(
                    PoolConfig.builder("web")
                        .healthCheck(
                            HealthCheck.builder()
                                .interval(Duration.ofMillis(100))
                                .timeout(Duration.ofMillis(100))
                                .unhealthyThreshold(1)
                                .healthyThreshold(1)
                                .expectedStatuses(Set.of(204))
                                .build())
                        .target(web1.target())
                        .build())
                .build());

    // web-1 answers its health check with 200, which this check does not accept.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(enam.target("web-1").healthy()).isFalse());
    web1.healthStatus(204);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(enam.target("web-1").healthy()).isTrue());
  }
}
