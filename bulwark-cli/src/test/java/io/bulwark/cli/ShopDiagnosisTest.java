package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.commerce.DemoData;
import io.bulwark.commerce.inventory.Product;
import io.bulwark.commerce.ordering.PlaceOrder;
import io.bulwark.kernel.AdminApi;
import io.bulwark.kernel.Json;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import io.bulwark.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shop process records its telemetry and takes fault injections for administrators only, and
 * {@code bulwark diagnose} finds a lock held on the shop's catalog, and the payment network down
 * while orders flow.
 */
class ShopDiagnosisTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();

  @TempDir Path home;

  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void findsALockOnTheCatalogForAnAdministratorAndNobodyElse() throws Exception {
    BulwarkServer.Builder builder = builder();
    Commerce commerce = installShop(builder);
    try (BulwarkServer server = builder.start()) {
      DemoData.seed(commerce, "admin-password-1");
      String url = server.baseUrl();
      String admin = login(url, "admin", "admin-password-1");
      String customer = login(url, DemoData.CUSTOMER, DemoData.CUSTOMER_PASSWORD);
      assertThat(status(url + "/api/v1/admin/telemetry", null)).isEqualTo(401);
      assertThat(status(url + "/api/v1/admin/telemetry", customer)).isEqualTo(403);
      assertThat(CliRun.bulwark("chaos", "list", "--url", url, "--token", customer).exit())
          .isEqualTo(2);

      Instant start = Instant.now();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> Instant.now().isAfter(start.plusSeconds(8)));
      CliRun injected =
          CliRun.bulwark(
              "chaos",
              "inject",
              "slow-query",
              "--target",
              "database",
              "--duration",
              "30s",
              "--url",
              url,
              "--token",
              admin);
      assertThat(injected.exit()).as(injected.err()).isZero();
      assertThat(injected.out()).contains("slow-query on database  ACTIVE");
      Instant injectedAt = Instant.now();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> Instant.now().isAfter(injectedAt.plusSeconds(6)));

      CliRun diagnosis =
          CliRun.bulwark(
              "diagnose",
              "--url",
              url,
              "--token",
              admin,
              "--symptom",
              "catalog pages hang",
              "--severity",
              "HIGH",
              "--since",
              "5s",
              "--component",
              "database");

      assertThat(diagnosis.exit()).as(diagnosis.err()).isZero();
      assertThat(diagnosis.out())
          .contains("root cause: slow-query on database")
          .contains("FROM inventory_products")
          .contains("pg_terminate_backend(");
      CliRun stopped = CliRun.bulwark("chaos", "stop", "--url", url, "--token", admin);
      assertThat(stopped.out()).contains("STOPPED");
    }
  }

  @Test
  void findsThePaymentNetworkDownWhileOrdersFlow() throws Exception {
    BulwarkServer.Builder builder = builder();
    Commerce commerce = installShop(builder);
    AtomicBoolean ordering = new AtomicBoolean(true);
    try (BulwarkServer server = builder.start()) {
      DemoData.Seeded seeded = DemoData.seed(commerce, "admin-password-1");
      String url = server.baseUrl();
      String admin =
          AdminApi.call(
                  url,
                  null,
                  "POST",
                  "/api/v1/auth/login",
                  Map.of("username", "admin", "password", "admin-password-1"))
              .get("accessToken")
              .asText();
      List<String> skus = commerce.inventory().products().stream().map(Product::sku).toList();
      Thread orders =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    for (int i = 0; ordering.get(); i++) {
                      String sku = skus.get(i % skus.size());
                      commerce
                          .orders()
                          .place(
                              new PlaceOrder(
                                  seeded.customerId(),
                                  List.of(new PlaceOrder.Line(sku, 1)),
                                  "outage-" + i));
                      try {
                        Thread.sleep(200);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      try {
        Instant start = Instant.now();
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> Instant.now().isAfter(start.plusSeconds(8)));
        CliRun injected =
            CliRun.bulwark(
                "chaos",
                "inject",
                "dependency-down",
                "--target",
                "payment-network",
                "--duration",
                "30s",
                "--url",
                url,
                "--token",
                admin);
        assertThat(injected.exit()).as(injected.err()).isZero();
        Instant injectedAt = Instant.now();
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> Instant.now().isAfter(injectedAt.plusSeconds(6)));

        CliRun diagnosis =
            CliRun.bulwark(
                "diagnose",
                "--url",
                url,
                "--token",
                admin,
                "--symptom",
                "orders fail",
                "--severity",
                "HIGH",
                "--since",
                "5s",
                "--json");

        assertThat(diagnosis.exit()).as(diagnosis.err()).isZero();
        JsonNode d = Json.parse(diagnosis.out());
        assertThat(d.get("rootCause").isObject())
            .as("a root cause in %s", d.toPrettyString())
            .isTrue();
        assertThat(d.get("rootCause").get("component").asText()).isEqualTo("payment-network");
        assertThat(d.get("rootCause").get("fault").asText()).isEqualTo("dependency-down");
        assertThat(d.get("solutions").get(0).get("command").asText())
            .startsWith("bulwark chaos stop chaos-");

        assertThat(CliRun.bulwark("chaos", "stop", "--url", url, "--token", admin).out())
            .contains("STOPPED");
        assertThat(
                AdminApi.call(commerce.paymentGatewayUrl().toString(), null, "GET", "/health", null)
                    .get("status")
                    .asText())
            .isEqualTo("UP");
      } finally {
        ordering.set(false);
        orders.join(5_000);
      }
    }
  }

  private BulwarkServer.Builder builder() {
    return BulwarkServer.builder(
        ServerConfig.builder()
            .name("shop")
            .home(home)
            .httpPort(0)
            .jdbcUrl(pg.jdbcUrl())
            .poolSize(8)
            .shutdownGrace(Duration.ofSeconds(1))
            .build());
  }

  private static Commerce installShop(BulwarkServer.Builder builder) {
    return DemoCommand.installShop(
        builder,
        CommerceOptions.builder()
            .jwtSecret("test-secret-test-secret-test-secret-0123")
            .bcryptCost(4)
            .pollInterval(Duration.ofMillis(100))
            .build(),
        null);
  }

  private String login(String url, String user, String password) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.parse(r.body()).get("accessToken").asText();
  }

  private int status(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
