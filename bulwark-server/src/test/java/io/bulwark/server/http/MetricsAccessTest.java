package io.bulwark.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.kernel.Json;
import io.bulwark.server.MetricsAccess;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetricsAccessTest {

  static final String TOKEN = "scrape-token-0123456789";

  @Test
  void aRestrictedMetricsEndpointAnswersOnlyConfiguredRangesOrTheToken() throws Exception {
    Javalin app =
        HttpApi.create(
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> true,
                Duration.ofSeconds(1),
                new MetricsAccess(List.of("10.0.0.0/8"), Optional.of(TOKEN)),
                List.of())
            .start("127.0.0.1", 0);
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpRequest.Builder scrape =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/metrics"));
      HttpResponse<String> refused =
          http.send(scrape.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.headers().firstValue("Content-Type"))
          .hasValue("application/problem+json; charset=utf-8");
      assertThat(Json.parse(refused.body()).get("type").asText()).endsWith("metrics-forbidden");
      assertThat(
              http.send(
                      scrape.copy().header("Authorization", "Bearer wrong-token-0123456").build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(403);
      HttpResponse<String> allowed =
          http.send(
              scrape.copy().header("Authorization", "Bearer " + TOKEN).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(allowed.statusCode()).isEqualTo(200);
      assertThat(allowed.body()).contains("# TYPE");
    } finally {
      app.stop();
    }
  }

  @Test
  void rangesMatchByPrefixForBothAddressFamilies() throws Exception {
    MetricsAccess access =
        new MetricsAccess(List.of("10.1.0.0/16", "::1/128", "192.168.0.7"), Optional.empty());
    assertThat(access.allows(InetAddress.getByName("10.1.200.3"), null)).isTrue();
    assertThat(access.allows(InetAddress.getByName("10.2.0.1"), null)).isFalse();
    assertThat(access.allows(InetAddress.getByName("::1"), null)).isTrue();
    assertThat(access.allows(InetAddress.getByName("192.168.0.7"), null)).isTrue();
    assertThat(access.allows(InetAddress.getByName("192.168.0.8"), "Bearer x")).isFalse();
    assertThat(MetricsAccess.open().allows(InetAddress.getByName("8.8.8.8"), null)).isTrue();
  }

  @Test
  void refusesMalformedRangesAndShortTokensNamingThem() {
    assertThatThrownBy(() -> new MetricsAccess(List.of("10.0.0.0/33"), Optional.empty()))
        .hasMessageContaining("prefix must be <= 32 but was 33");
    assertThatThrownBy(() -> new MetricsAccess(List.of("example.com"), Optional.empty()))
        .hasMessageContaining("\"example.com\"");
    assertThatThrownBy(() -> new MetricsAccess(List.of(), Optional.of("short")))
        .hasMessageContaining("at least 16 characters");
  }
}
