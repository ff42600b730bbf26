package io.bulwark.commerce.payment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.ordering.Order;
import io.bulwark.commerce.ordering.OrderStatus;
import io.bulwark.commerce.payment.simulator.PaymentSimulatorProcess;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.testkit.PostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class GatewayOutageTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static PaymentSimulatorProcess gateway;
  static TestServer app;

  @BeforeAll
  static void start() {
    gateway = PaymentSimulatorProcess.start(SimulatorOptions.defaults());
    app =
        new TestServer(
            pg.jdbcUrl(),
            home,
            o ->
                o.paymentGateway(gateway.baseUrl())
                    .paymentTimeout(Duration.ofMillis(300))
                    .pollInterval(Duration.ofMillis(50)));
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
  void failsTheOrderReleasesStockAndRecordsARefundWhenTheGatewayIsGone() throws Exception {
    String admin = app.adminToken();
    app.send(
        "POST",
        "/api/v1/products",
        admin,
        "{\"sku\":\"TV-1\",\"name\":\"Television\",\"price\":30000,\"available\":5}");
    String token = app.customer("unlucky");
    gateway.close();
    assertThat(gateway.isAlive()).isFalse();

    UUID id =
        UUID.fromString(
            app.send(
                    "POST",
                    "/api/v1/orders",
                    token,
                    "{\"items\":[{\"sku\":\"TV-1\",\"quantity\":2}]}")
                .json()
                .get("id")
                .asText());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> app.commerce.orders().order(id).orElseThrow().terminal());

    Order order = app.commerce.orders().order(id).orElseThrow();
    assertThat(order.status()).isEqualTo(OrderStatus.FAILED);
    assertThat(order.reason()).startsWith("payment unavailable");
    assertThat(app.commerce.inventory().reservationStatus(id)).contains("RELEASED");
    assertThat(app.commerce.inventory().stock("TV-1").orElseThrow().available()).isEqualTo(5);
    assertThat(app.commerce.payments().refundRequested(id)).isTrue();
    assertThat(app.commerce.payments().payment(id).orElseThrow().status()).isEqualTo("UNKNOWN");
  }

  @Test
  void opensTheCircuitAndShowsItOnMetrics() throws Exception {
    String admin = app.adminToken();
    app.send(
        "POST",
        "/api/v1/products",
        admin,
        "{\"sku\":\"RADIO-1\",\"name\":\"Radio\",\"price\":3000,\"available\":50}");
    String token = app.customer("circuit-watcher");
    gateway.close();
    java.util.List<UUID> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(
          UUID.fromString(
              app.send(
                      "POST",
                      "/api/v1/orders",
                      token,
                      "{\"items\":[{\"sku\":\"RADIO-1\",\"quantity\":1}]}")
                  .json()
                  .get("id")
                  .asText()));
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                ids.stream()
                    .allMatch(id -> app.commerce.orders().order(id).orElseThrow().terminal()));
    String metrics = app.get("/metrics", null).body();
    assertThat(metrics)
        .contains("bulwark_payment_gateway_circuit_state{state=\"open\"} 1.0")
        .contains("bulwark_payment_gateway_circuit_state{state=\"closed\"} 0.0");
  }
}
