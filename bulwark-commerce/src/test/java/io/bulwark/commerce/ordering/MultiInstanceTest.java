package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.payment.simulator.PaymentSimulatorProcess;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.testkit.PostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two server instances on one database share sagas and views without serving stale reads. */
class MultiInstanceTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static PaymentSimulatorProcess gateway;
  static TestServer a;
  static TestServer b;

  @BeforeAll
  static void start() {
    gateway = PaymentSimulatorProcess.start(SimulatorOptions.defaults());
    a = new TestServer(pg.jdbcUrl(), home.resolve("a"), o -> o.paymentGateway(gateway.baseUrl()));
    b = new TestServer(pg.jdbcUrl(), home.resolve("b"), o -> o.paymentGateway(gateway.baseUrl()));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {a, b, gateway}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void ordersPlacedOnOneInstanceReadAsTerminalOnTheOther() throws Exception {
    String admin = a.adminToken();
    a.send(
        "POST",
        "/api/v1/products",
        admin,
        "{\"sku\":\"MI-1\",\"name\":\"Shared\",\"price\":300,\"available\":3}");
    String token = a.customer("twins");
    String me = b.get("/api/v1/users/me", token).json().get("id").asText();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id =
          a.send("POST", "/api/v1/orders", token, "{\"items\":[{\"sku\":\"MI-1\",\"quantity\":1}]}")
              .json()
              .get("id")
              .asText();
      ids.add(id);
      // Read through the other instance right away, so it may cache a PENDING view.
      assertThat(b.get("/api/v1/orders/" + id, token).status()).isEqualTo(200);
      b.get("/api/v1/customers/" + me + "/stats", token);
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              for (String id : ids) {
                if (b.get("/api/v1/orders/" + id, token)
                    .json()
                    .get("status")
                    .asText()
                    .equals("PENDING")) {
                  return false;
                }
              }
              return b.get("/api/v1/customers/" + me + "/stats", token)
                      .json()
                      .get("confirmedCount")
                      .asInt()
                  == 3;
            });
    assertThat(b.get("/api/v1/customers/" + me + "/stats", token).json().get("failedCount").asInt())
        .isEqualTo(2);
    assertThat(a.commerce.inventory().stock("MI-1").orElseThrow().available()).isZero();
  }
}
