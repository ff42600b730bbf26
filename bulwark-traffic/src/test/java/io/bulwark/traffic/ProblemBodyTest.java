package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.ProblemDocument;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's admin API and proxy send the same problem members as every other Bulwark adapter:
 * the kernel's {@link ProblemDocument}, over a real socket.
 */
class ProblemBodyTest {
  private TestBackend backend;
  private Gateway gateway;

  @BeforeEach
  void start() {
    backend = TestBackend.start("only-1");
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .adminPort(0)
                .pool(
                    PoolConfig.builder("main")
                        .enabled(false)
                        .noHealthCheck()
                        .target(backend.target())
                        .build())
                .build());
  }

  @AfterEach
  void stop() {
    gateway.close(Duration.ofSeconds(2));
    backend.close();
  }

  private static JsonNode problem(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("content-type"))
        .hasValue(ProblemDocument.CONTENT_TYPE);
    return Json.parse(response.body());
  }

  @Test
  void theAdminApiRendersATrafficProblemAsTheKernelDocument() {
    HttpResponse<String> r =
        Http.get(gateway.adminPort(), "/admin/pools/nope", "X-Request-Id", "req-admin-1");

    ProblemDocument expected =
        ProblemDocument.of(new UnknownPoolException("nope"), "/admin/pools/nope", "req-admin-1");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("x-request-id")).hasValue("req-admin-1");
    assertThat(problem(r)).isEqualTo(Json.parse(expected.toJson()));
  }

  @Test
  void theAdminApiGivesItsOwnProblemsAFreshCorrelationIdAndTheAllowHeader() {
    HttpResponse<String> r = Http.send("DELETE", gateway.adminPort(), "/admin/pools", "");

    JsonNode body = problem(r);
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).hasValue("GET");
    assertThat(body.get("type").asText()).isEqualTo("/problems/method-not-allowed");
    assertThat(body.get("title").asText()).isEqualTo("Method not allowed");
    assertThat(body.get("instance").asText()).isEqualTo("/admin/pools");
    assertThat(body.get("correlationId").asText())
        .isNotBlank()
        .isEqualTo(r.headers().firstValue("x-request-id").orElseThrow());
    assertThat(body.get("allow").asText()).isEqualTo("GET");
  }

  @Test
  void theProxyRendersItsOwnErrorsAsTheKernelDocument() {
    HttpResponse<String> r = Http.get(gateway.port(), "/shop/items?x=1", "X-Request-Id", "req-9");

    ProblemDocument expected =
        new ProblemDocument(
            503,
            "gateway-503",
            "No serving target",
            "no pool has a serving target for this request",
            "/shop/items",
            "req-9",
            Map.of());
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(problem(r)).isEqualTo(Json.parse(expected.toJson()));
  }
}
