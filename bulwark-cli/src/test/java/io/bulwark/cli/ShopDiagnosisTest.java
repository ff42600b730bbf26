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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

      CliRun diagnosis =
          injectAndDiagnose(
              url,
              admin,
              "slow-query",
              "database",
              "--symptom",
              "catalog pages hang",
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
    try (BulwarkServer server = builder.start()) {
      DemoData.Seeded seeded = DemoData.seed(commerce, "admin-password-1");
      String url = server.baseUrl();
      String admin = login(url, "admin", "admin-password-1");
      List<String> skus = commerce.inventory().products().stream().map(Product::sku).toList();
      AtomicInteger placed = new AtomicInteger();
      ScheduledExecutorService orders = Executors.newSingleThreadScheduledExecutor();
      orders.scheduleAtFixedRate(
          () -> {
            int i = placed.getAndIncrement();
            commerce
                .orders()
                .place(
                    new PlaceOrder(
                        seeded.customerId(),
                        List.of(new PlaceOrder.Line(skus.get(i % skus.size()), 1)),
                        "outage-" + i));
          },
          0,
          200,
          TimeUnit.MILLISECONDS);
      try {
        CliRun diagnosis =
            injectAndDiagnose(
                url,
                admin,
                "dependency-down",
                "payment-network",
                "--symptom",
                "orders fail",
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
        orders.shutdownNow();
        orders.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * After an 8 s baseline, injects {@code fault} on {@code target} for 30 s, and 6 s later runs
   * {@code bulwark diagnose --since 5s} with {@code args}.
   */
  private static CliRun injectAndDiagnose(
      String url, String admin, String fault, String target, String... args) {
    awaitSeconds(8);
    CliRun injected =
        CliRun.bulwark(
            "chaos",
            "inject",
            fault,
            "--target",
            target,
            "--duration",
            "30s",
            "--url",
            url,
            "--token",
            admin);
    assertThat(injected.exit()).as(injected.err()).isZero();
    assertThat(injected.out()).contains(fault + " on " + target + "  ACTIVE");
    awaitSeconds(6);
    List<String> all =
        new ArrayList<>(
            List.of(
                "diagnose", "--url", url, "--token", admin, "--severity", "HIGH", "--since", "5s"));
    all.addAll(List.of(args));
    return CliRun.bulwark(all.toArray(String[]::new));
  }

  /** Lets {@code seconds} of telemetry be recorded. */
  private static void awaitSeconds(int seconds) {
    Instant start = Instant.now();
    await()
        .atMost(Duration.ofSeconds(seconds + 30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> Instant.now().isAfter(start.plusSeconds(seconds)));
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

  private static String login(String url, String user, String password) throws Exception {
    return AdminApi.call(
            url, null, "POST", "/api/v1/auth/login", Map.of("username", user, "password", password))
        .get("accessToken")
        .asText();
  }

  private int status(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
