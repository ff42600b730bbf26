package io.bulwark.commerce.payment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.inventory.StockLevel;
import io.bulwark.commerce.ordering.Order;
import io.bulwark.commerce.ordering.OrderStatus;
import io.bulwark.commerce.payment.simulator.PaymentSimulatorProcess;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.kernel.Json;
import io.bulwark.testkit.PostgresExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class PaymentFailuresTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static PaymentSimulatorProcess gateway;
  static TestServer app;

  @BeforeAll
  static void start() {
    gateway =
        PaymentSimulatorProcess.start(
            SimulatorOptions.defaults()
                .withLatency(Duration.ofMillis(1), Duration.ofMillis(10))
                .withRates(0.30, 0.15, 0.05)
                .withTimeoutDelay(Duration.ofMillis(600)));
    app =
        new TestServer(
            pg.jdbcUrl(),
            home,
            o ->
                o.paymentGateway(gateway.baseUrl())
                    .paymentTimeout(Duration.ofMillis(300))
                    .sagaWorkers(6));
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void everyOrderEndsTerminalFailedPaymentsReleaseStockAndNothingIsChargedTwice() throws Exception {
    String admin = app.adminToken();
    app.send(
        "POST",
        "/api/v1/products",
        admin,
        "{\"sku\":\"GPU-1\",\"name\":\"Graphics card\",\"price\":1000,\"available\":500}");
    String token = app.customer("flaky");
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      TestServer.Response r =
          app.send(
              "POST",
              "/api/v1/orders",
              token,
              "{\"items\":[{\"sku\":\"GPU-1\",\"quantity\":" + (1 + i % 3) + "}]}");
      assertThat(r.status()).isEqualTo(202);
      ids.add(UUID.fromString(r.json().get("id").asText()));
    }
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> app.commerce.orderSaga().unfinished() == 0);
    // A charge whose outcome was unknown (gateway timeout) is voided or refunded by the
    // housekeeping retry after the order failed: money settles shortly after the order does.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                ids.stream()
                    .filter(
                        id ->
                            app.commerce.orders().order(id).orElseThrow().status()
                                == OrderStatus.FAILED)
                    .map(id -> app.commerce.payments().payment(id).orElseThrow().status())
                    .allMatch(s -> List.of("DECLINED", "REFUNDED", "VOIDED").contains(s)));

    int sold = 0;
    long charged = 0;
    int failed = 0;
    for (UUID id : ids) {
      Order o = app.commerce.orders().order(id).orElseThrow();
      assertThat(o.status()).isNotEqualTo(OrderStatus.PENDING);
      String reservation = app.commerce.inventory().reservationStatus(id).orElseThrow();
      Payment p = app.commerce.payments().payment(id).orElseThrow();
      if (o.status() == OrderStatus.CONFIRMED) {
        assertThat(reservation).isEqualTo("COMMITTED");
        assertThat(p.status()).isEqualTo("CHARGED");
        sold += o.items().get(0).quantity();
        charged += o.totalMinor();
      } else {
        failed++;
        assertThat(o.reason()).startsWith("payment");
        assertThat(reservation).as("stock of failed order %s", id).isEqualTo("RELEASED");
        assertThat(p.status()).isIn("DECLINED", "REFUNDED", "VOIDED");
      }
    }
    assertThat(failed).as("some payments were declined").isPositive();
    StockLevel stock = app.commerce.inventory().stock("GPU-1").orElseThrow();
    assertThat(stock.available()).isEqualTo(500 - sold);
    assertThat(stock.reserved()).isZero();

    JsonNode stats =
        Json.parse(
            app.http
                .send(
                    HttpRequest.newBuilder(gateway.baseUrl().resolve("/stats")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    assertThat(stats.get("injectedFailures").asInt()).as("failures were injected").isPositive();
    assertThat(stats.get("duplicateCharges").asInt()).isZero();
    assertThat(stats.get("netCharged").asLong())
        .as("money kept equals confirmed totals")
        .isEqualTo(charged);
  }
}
