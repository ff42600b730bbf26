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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Orders flow while {@code bulwark chaos} takes the payment network down: {@code bulwark diagnose}
 * names the payment network and dependency-down, and the network answers again once stopped.
 */
class PaymentOutageDiagnosisTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();

  @TempDir Path home;

  @Test
  void findsThePaymentNetworkDownWhileOrdersFlow() throws Exception {
    BulwarkServer.Builder builder =
        BulwarkServer.builder(
            ServerConfig.builder()
                .name("shop")
                .home(home)
                .httpPort(0)
                .jdbcUrl(pg.jdbcUrl())
                .poolSize(8)
                .shutdownGrace(Duration.ofSeconds(1))
                .build());
    Commerce commerce =
        DemoCommand.installShop(
            builder,
            CommerceOptions.builder()
                .jwtSecret("test-secret-test-secret-test-secret-0123")
                .bcryptCost(4)
                .pollInterval(Duration.ofMillis(100))
                .build(),
            null);
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
        Run injected =
            bulwark(
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
        assertThat(injected.exit).as(injected.err).isZero();
        Instant injectedAt = Instant.now();
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> Instant.now().isAfter(injectedAt.plusSeconds(6)));

        Run diagnosis =
            bulwark(
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

        assertThat(diagnosis.exit).as(diagnosis.err).isZero();
        JsonNode d = Json.parse(diagnosis.out);
        assertThat(d.get("rootCause").isObject())
            .as("a root cause in %s", d.toPrettyString())
            .isTrue();
        assertThat(d.get("rootCause").get("component").asText()).isEqualTo("payment-network");
        assertThat(d.get("rootCause").get("fault").asText()).isEqualTo("dependency-down");
        assertThat(d.get("solutions").get(0).get("command").asText())
            .startsWith("bulwark chaos stop chaos-");

        assertThat(bulwark("chaos", "stop", "--url", url, "--token", admin).out)
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

  private record Run(int exit, String out, String err) {}

  private static Run bulwark(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = BulwarkCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }
}
