package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.inventory.StockLevel;
import io.bulwark.commerce.payment.simulator.PaymentSimulatorProcess;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.kernel.Json;
import io.bulwark.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class OrderConcurrencyTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static PaymentSimulatorProcess gateway;
  static TestServer app;

  @BeforeAll
  static void start() {
    gateway =
        PaymentSimulatorProcess.start(
            SimulatorOptions.defaults().withLatency(Duration.ofMillis(1), Duration.ofMillis(10)));
    app =
        new TestServer(
            pg.jdbcUrl(),
            home,
            // this checks stock under concurrency, not payment latency: on a starved 2-core
            // machine 2 s calls timed out and opened the payment circuit, failing paid orders
            o ->
                o.paymentGateway(gateway.baseUrl())
                    .paymentTimeout(Duration.ofSeconds(15))
                    .sagaWorkers(8));
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
  void twoHundredConcurrentOrdersForTenUnitsConfirmExactlyTenAndNeverOversell() throws Exception {
    String admin = app.adminToken();
    assertThat(
            app.send(
                    "POST",
                    "/api/v1/products",
                    admin,
                    "{\"sku\":\"HOT-1\",\"name\":\"Console\",\"price\":49900,\"available\":10}")
                .status())
        .isEqualTo(201);
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      tokens.add(app.customer("buyer" + i));
    }

    List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(app.server.baseUrl() + "/api/v1/orders"))
              .timeout(Duration.ofSeconds(60))
              .header("Authorization", "Bearer " + tokens.get(i % tokens.size()))
              .header("Content-Type", "application/json")
              .header("Idempotency-Key", "order-" + i)
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"items\":[{\"sku\":\"HOT-1\",\"quantity\":1}]}"))
              .build();
      futures.add(sendRetryingWhenBusy(req, 5));
    }
    List<UUID> ids = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> f : futures) {
      HttpResponse<String> r = f.get();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      JsonNode body = Json.parse(r.body());
      ids.add(UUID.fromString(body.get("id").asText()));
    }
    assertThat(ids).doesNotHaveDuplicates().hasSize(200);

    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> app.commerce.orderSaga().unfinished() == 0);

    Map<OrderStatus, List<Order>> byStatus =
        ids.stream()
            .map(id -> app.commerce.orders().order(id).orElseThrow())
            .collect(Collectors.groupingBy(Order::status));
    assertThat(byStatus.getOrDefault(OrderStatus.CONFIRMED, List.of())).hasSize(10);
    assertThat(byStatus.getOrDefault(OrderStatus.FAILED, List.of()))
        .hasSize(190)
        .allSatisfy(o -> assertThat(o.reason()).startsWith("insufficient stock"));
    assertThat(byStatus).doesNotContainKey(OrderStatus.PENDING);

    StockLevel stock = app.commerce.inventory().stock("HOT-1").orElseThrow();
    assertThat(stock.available()).isZero();
    assertThat(stock.reserved()).isZero();
    Map<String, Integer> reservations = reservationsByStatus();
    assertThat(reservations).doesNotContainKey("HELD");
    assertThat(reservations.get("COMMITTED")).isEqualTo(10);

    JsonNode stats = gatewayStats();
    assertThat(stats.get("succeeded").asInt()).isEqualTo(10);
    assertThat(stats.get("duplicateCharges").asInt()).isZero();
    assertThat(stats.get("netCharged").asLong()).isEqualTo(10 * 49900L);

    // The read side agrees once the projection has caught up.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                app.commerce.orderQueries().order(ids.get(0)).map(Order::terminal).orElse(false)
                    && ids.stream()
                            .map(id -> app.commerce.orderQueries().order(id).orElseThrow())
                            .filter(o -> o.status() == OrderStatus.CONFIRMED)
                            .count()
                        == 10);
  }

  /**
   * Sends {@code req}; on 503 (the server shedding a burst larger than its connection pool) waits
   * the Retry-After and sends it again with the same Idempotency-Key, as a well-behaved client
   * does.
   */
  static CompletableFuture<HttpResponse<String>> sendRetryingWhenBusy(HttpRequest req, int tries) {
    return app.http
        .sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .thenCompose(
            r -> {
              if (r.statusCode() != 503 || tries <= 1) {
                return CompletableFuture.completedFuture(r);
              }
              long seconds = Long.parseLong(r.headers().firstValue("Retry-After").orElse("1"));
              return CompletableFuture.supplyAsync(
                      () -> null, CompletableFuture.delayedExecutor(seconds, TimeUnit.SECONDS))
                  .thenCompose(x -> sendRetryingWhenBusy(req, tries - 1));
            });
  }

  static Map<String, Integer> reservationsByStatus() throws Exception {
    try (Connection c = pg.database().dataSource().getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "select status, count(*) from inventory_reservations group by status")) {
      Map<String, Integer> m = new java.util.HashMap<>();
      while (rs.next()) {
        m.put(rs.getString(1), rs.getInt(2));
      }
      return m;
    }
  }

  static JsonNode gatewayStats() throws Exception {
    return Json.parse(
        app.http
            .send(
                HttpRequest.newBuilder(gateway.baseUrl().resolve("/stats")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }
}
