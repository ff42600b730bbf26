package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.kernel.Json;
import io.bulwark.testkit.MonitoringAssets;
import io.bulwark.traffic.Gateway;
import io.bulwark.traffic.GatewayConfig;
import io.bulwark.traffic.PoolConfig;
import io.bulwark.traffic.TargetConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboards and Prometheus alert rules in {@code ops/} read only metrics that a real
 * demo and a real gateway in front of it export, once an order went through (the instance groups'
 * meters are checked by the fleet's GroupMetricsTest).
 */
class MonitoringAssetsTest {

  /** Instance groups' meters, exported by {@code bulwark up}'s stack; see GroupMetricsTest. */
  static final String FLEET = "fleet_group_";

  @TempDir Path home;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyDashboardQueryAndAlertReadsMetricsTheProcessesExport() throws Exception {
    Map<String, String> expressions = MonitoringAssets.expressions();
    assertThat(expressions).hasSizeGreaterThan(20);
    Set<String> exported = new TreeSet<>();
    Process demo = DemoProcess.start(home);
    Gateway gateway = null;
    try {
      String url = DemoProcess.url(demo);
      int port = URI.create(url).getPort();
      int refusing;
      try (ServerSocket closed = new ServerSocket(0)) {
        refusing = closed.getLocalPort();
      }
      // one live target and one that refuses connections: errors and retries get counted
      gateway =
          Gateway.start(
              GatewayConfig.builder()
                  .port(0)
                  .adminPort(0)
                  .pool(
                      PoolConfig.builder("shop")
                          .noHealthCheck()
                          .target(TargetConfig.of("live", "127.0.0.1", port))
                          .target(TargetConfig.of("gone", "127.0.0.1", refusing))
                          .build())
                  .build());
      String front = "http://127.0.0.1:" + gateway.port();
      String token =
          Json.parse(
                  send(
                          "POST",
                          front + "/api/v1/auth/login",
                          null,
                          "{\"username\":\"demo\",\"password\":\"demo-password\"}")
                      .body())
              .get("accessToken")
              .asText();
      String id =
          Json.parse(
                  send(
                          "POST",
                          front + "/api/v1/orders",
                          token,
                          "{\"items\":[{\"sku\":\"BOOK-1\",\"quantity\":1}]}")
                      .body())
              .get("id")
              .asText();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  !Json.parse(send("GET", url + "/api/v1/orders/" + id, token, null).body())
                      .path("status")
                      .asText()
                      .equals("PENDING"));
      for (int i = 0; i < 4; i++) {
        send("GET", front + "/api/v1/products", token, null);
      }
      exported.addAll(names(send("GET", url + "/metrics", null, null).body()));
      exported.addAll(
          names(
              send("GET", "http://127.0.0.1:" + gateway.adminPort() + "/metrics", null, null)
                  .body()));
    } finally {
      if (gateway != null) {
        gateway.close(Duration.ZERO);
      }
      demo.destroy();
      demo.waitFor(60, TimeUnit.SECONDS);
    }

    assertThat(exported).contains("http_server_requests_seconds_bucket");
    Set<String> recorded = MonitoringAssets.recorded();
    assertThat(recorded).contains("bulwark:http_errors:ratio_rate1h");
    expressions.forEach(
        (where, expr) -> {
          Set<String> read = MonitoringAssets.metricNames(expr);
          assertThat(read).as(where + " reads no metric: " + expr).isNotEmpty();
          read.stream()
              .filter(name -> !name.startsWith(FLEET))
              .forEach(
                  name ->
                      assertThat(name.contains(":") ? recorded : exported)
                          .as(where + " reads " + name)
                          .contains(name));
        });
  }

  /** The metric names of a Prometheus text exposition. */
  private static Set<String> names(String exposition) {
    Set<String> out = new TreeSet<>();
    exposition
        .lines()
        .filter(l -> !l.startsWith("#") && !l.isBlank())
        .map(l -> l.split("[{ ]", 2)[0])
        .forEach(out::add);
    return out;
  }

  private HttpResponse<String> send(String method, String url, String token, String body)
      throws Exception {
    return DemoProcess.send(http, method, url, token, body);
  }
}
