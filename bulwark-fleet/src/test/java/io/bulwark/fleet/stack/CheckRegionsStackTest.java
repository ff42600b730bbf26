package io.bulwark.fleet.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.topology.TopologyFile;
import io.bulwark.traffic.Gateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code bulwark up} with a monitor whose check regions leave out the home region: a probing
 * gateway runs in the check region, and the main gateway takes target health from it.
 */
class CheckRegionsStackTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static JsonNode get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.mapper().readTree(r.body());
  }

  @Test
  void theMainGatewayFollowsTheProbesOfTheCheckRegionsGateway() throws Exception {
    String yaml =
        """
        name: probes
        profile: local
        regions:
          - {name: home, role: primary, zones: [a]}
          - {name: watch, role: active, zones: [b]}
        services:
          - name: web
            instances: {min: 1, max: 1, desired: 1}
            placement: {regions: [home]}
        traffic:
          pools:
            - {name: main, region: home, service: web}
          monitor: {path: /health, interval: 200ms, timeout: 100ms, retries: 1, check-regions: [watch]}
        """;
    try (LocalStack stack =
        LocalStack.start(StackPlan.of(TopologyFile.parse("probes.yaml", yaml), 0, 0))) {
      assertThat(stack.awaitReady(Duration.ofSeconds(30))).isTrue();
      Gateway watch = stack.regionGateways().get("watch");
      String mainAdmin = "http://127.0.0.1:" + stack.gateway().adminPort();
      String watchAdmin = "http://127.0.0.1:" + watch.adminPort();

      JsonNode mine = get(mainAdmin + "/admin/health");
      assertThat(mine.path("region").asText()).isEqualTo("home");
      assertThat(mine.path("pools").path("main").path("probed").asBoolean()).isFalse();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                JsonNode theirs = get(watchAdmin + "/admin/health");
                assertThat(theirs.path("region").asText()).isEqualTo("watch");
                assertThat(theirs.path("pools").path("main").path("probed").asBoolean()).isTrue();
                assertThat(theirs.path("pools").path("main").path("targets").size()).isEqualTo(1);
              });
      String instance = stack.gateway().pool("main").targets().get(0).id();
      assertThat(watch.target(instance).healthy()).isTrue();
      HttpResponse<String> through =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(stack.url() + "/hello"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(through.statusCode()).isLessThan(500);
    }
  }
}
