package io.bulwark.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import io.bulwark.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The wiring the lead uses: defaults (own simulator process, generated key) and demo data. */
class CommerceContractTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static BulwarkServer server;
  static Commerce commerce;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    BulwarkServer.Builder b =
        BulwarkServer.builder(
            ServerConfig.builder()
                .name("contract")
                .home(home)
                .httpPort(0)
                .jdbcUrl(pg.jdbcUrl())
                .poolSize(8)
                .shutdownGrace(Duration.ofSeconds(2))
                .build());
    commerce = Commerce.install(b, CommerceOptions.builder().bcryptCost(4).build());
    server = b.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static HttpResponse<String> call(String method, String path, String token, String body)
      throws Exception {
    return http.send(
        TestServer.request(server.baseUrl() + path, method, token, body).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String login(String user, String password) throws Exception {
    HttpResponse<String> r =
        call(
            "POST",
            "/api/v1/auth/login",
            null,
            "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = Json.parse(r.body());
    assertThat(body.has("refreshToken")).isTrue();
    return body.get("accessToken").asText();
  }

  @Test
  void seedsDemoDataAndServesTheDocumentedContractEndToEnd() throws Exception {
    DemoData.Seeded seeded = DemoData.seed(commerce, "s3cret-admin");
    assertThat(seeded.products()).isGreaterThanOrEqualTo(36);
    assertThat(DemoData.seed(commerce, "s3cret-admin").products()).isEqualTo(seeded.products());
    assertThat(Files.exists(home.resolve("contract/commerce/jwt.key")))
        .as("a signing key is generated and kept per instance")
        .isTrue();

    String admin = login("admin", "s3cret-admin");
    String demo = login(DemoData.CUSTOMER, DemoData.CUSTOMER_PASSWORD);

    JsonNode products = Json.parse(call("GET", "/api/v1/products", demo, null).body());
    assertThat(products.isArray()).isTrue();
    JsonNode first = products.get(0);
    assertThat(first.has("sku") && first.has("name") && first.has("price")).isTrue();
    String sku = first.get("sku").asText();

    HttpResponse<String> put = call("PUT", "/api/v1/inventory/" + sku, admin, "{\"available\":7}");
    assertThat(put.statusCode()).isEqualTo(200);
    JsonNode stock = Json.parse(call("GET", "/api/v1/inventory/" + sku, admin, null).body());
    assertThat(stock.get("sku").asText()).isEqualTo(sku);
    assertThat(stock.get("available").asInt()).isEqualTo(7);
    assertThat(stock.get("reserved").asInt()).isZero();
    assertThat(call("GET", "/api/v1/inventory/" + sku, demo, null).statusCode()).isEqualTo(403);

    HttpResponse<String> placed =
        call(
            "POST",
            "/api/v1/orders",
            demo,
            "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":2}]}");
    assertThat(placed.statusCode()).isIn(201, 202);
    JsonNode order = Json.parse(placed.body());
    assertThat(order.get("status").asText()).isEqualTo("PENDING");
    String id = order.get("id").asText();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Json.parse(call("GET", "/api/v1/orders/" + id, demo, null).body())
                    .get("status")
                    .asText()
                    .equals("CONFIRMED"));
    assertThat(
            Json.parse(call("GET", "/api/v1/inventory/" + sku, admin, null).body())
                .get("available")
                .asInt())
        .isEqualTo(5);
    assertThat(commerce.paymentGatewayUrl().getHost()).isEqualTo("127.0.0.1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              String metrics =
                  http.send(
                          HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics")).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body();
              return metrics.contains("commerce_events_total{type=\"OrderConfirmed\"}")
                  && metrics.contains("commerce_events_total{type=\"InventoryReserved\"}")
                  // the order saga's engine meters: the confirmed order's execution, its tasks
                  && metrics
                      .lines()
                      .anyMatch(
                          l ->
                              l.startsWith("bulwark_states_executions_ended_total{")
                                  && l.contains("machine=\"order-saga\"")
                                  && l.contains("status=\"SUCCEEDED\"")
                                  && !l.endsWith(" 0.0"))
                  && metrics.contains("bulwark_states_tasks_total{outcome=\"succeeded\"}")
                  && metrics.contains("bulwark_states_work_due ")
                  && metrics.contains("bulwark_states_work_lag_seconds ")
                  && metrics.contains("bulwark_ordering_projection_behind 0.0")
                  && metrics.contains("bulwark_ordering_projection_held_back ");
            });
    HttpResponse<String> anonymous = call("GET", "/api/v1/products", null, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
  }

  @Test
  void refusesAShortAdminPassword() {
    assertThatThrownBy(() -> DemoData.seed(commerce, "short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 8");
  }

  @Test
  void rejectsBadOptionsNamingTheSetting() {
    assertThatThrownBy(() -> CommerceOptions.builder().bcryptCost(3).build())
        .hasMessage("bcryptCost must be in 4..31 but was 3");
    assertThatThrownBy(() -> CommerceOptions.builder().jwtSecret("short").build())
        .hasMessageContaining("jwtSecret must be at least 32 bytes");
    assertThatThrownBy(() -> CommerceOptions.builder().sagaWorkers(-1).build())
        .hasMessage("sagaWorkers must be in 0..256 but was -1");
    assertThatThrownBy(() -> CommerceOptions.builder().intakeCapacity(0).build())
        .hasMessage("intakeCapacity must be >= 1 but was 0");
    assertThatThrownBy(() -> CommerceOptions.builder().vipHeadroomPercent(101).build())
        .hasMessage("vipHeadroomPercent must be in 0..100 but was 101");
  }
}
