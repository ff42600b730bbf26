package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.TestServer.Response;
import io.bulwark.commerce.payment.simulator.PaymentSimulatorProcess;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.testkit.PostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class OrderingTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static PaymentSimulatorProcess gateway;
  static TestServer app;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    gateway =
        PaymentSimulatorProcess.start(
            SimulatorOptions.defaults().withLatency(Duration.ZERO, Duration.ofMillis(2)));
    app = new TestServer(pg.jdbcUrl(), home, o -> o.paymentGateway(gateway.baseUrl()));
    admin = app.adminToken();
    product("BOOK-1", "Distributed Systems", 4500, 100);
    product("PEN-1", "Fountain Pen", 1250, 100);
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

  static void product(String sku, String name, long price, int stock) throws Exception {
    Response r =
        app.send(
            "POST",
            "/api/v1/products",
            admin,
            "{\"sku\":\"" + sku + "\",\"name\":\"" + name + "\",\"price\":" + price + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(
            app.send("PUT", "/api/v1/inventory/" + sku, admin, "{\"available\":" + stock + "}")
                .status())
        .isEqualTo(200);
  }

  static JsonNode awaitTerminal(String id, String token) {
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              last[0] = app.get("/api/v1/orders/" + id, token).json();
              return !last[0].get("status").asText().equals("PENDING");
            });
    return last[0];
  }

  @Test
  void confirmsAnOrderPricedFromTheCatalogAndShowsItDenormalised() throws Exception {
    String token = app.customer("olivia");
    Response placed =
        app.send(
            "POST",
            "/api/v1/orders",
            token,
            "{\"items\":[{\"sku\":\"BOOK-1\",\"quantity\":2},{\"sku\":\"PEN-1\",\"quantity\":1}]}");
    assertThat(placed.status()).as(placed.body()).isEqualTo(202);
    assertThat(placed.json().get("status").asText()).isEqualTo("PENDING");
    assertThat(placed.json().get("total").asLong()).isEqualTo(2 * 4500 + 1250);
    String id = placed.json().get("id").asText();

    JsonNode order = awaitTerminal(id, token);
    assertThat(order.get("status").asText()).isEqualTo("CONFIRMED");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> app.get("/api/v1/orders/" + id, token).json().has("customerName"));
    JsonNode view = app.get("/api/v1/orders/" + id, token).json();
    assertThat(view.get("customerName").asText()).isEqualTo("Name olivia");
    assertThat(view.get("createdAt").asText()).isEqualTo(placed.json().get("createdAt").asText());
    assertThat(view.get("items").get(0).get("name").asText()).isEqualTo("Distributed Systems");
    assertThat(app.commerce.inventory().stock("BOOK-1").orElseThrow().reserved()).isZero();
    assertThat(
            app.commerce.payments().payment(java.util.UUID.fromString(id)).orElseThrow().status())
        .isEqualTo("CHARGED");
    // the customer reads the payment of their own order, and finds it under /customers/me
    JsonNode payment = app.get("/api/v1/payments/" + id, token).json();
    assertThat(payment.get("status").asText()).isEqualTo("CHARGED");
    assertThat(payment.get("amountMinor").asLong()).isEqualTo(2 * 4500 + 1250);
    assertThat(app.get("/api/v1/customers/me/orders", token).json().get("items"))
        .extracting(o -> o.get("id").asText())
        .contains(id);
    assertThat(app.get("/api/v1/customers/me/stats", token).status()).isEqualTo(200);
  }

  @Test
  void replaysTheSameOrderForARepeatedIdempotencyKeyAndRejectsADifferentBody() throws Exception {
    String token = app.customer("peter");
    String body = "{\"items\":[{\"sku\":\"PEN-1\",\"quantity\":1}]}";
    Response first = app.send("POST", "/api/v1/orders", token, body, "key-123");
    Response again = app.send("POST", "/api/v1/orders", token, body, "key-123");
    assertThat(first.status()).isEqualTo(202);
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().get("id").asText()).isEqualTo(first.json().get("id").asText());
    assertThat(again.raw().headers().firstValue("Idempotent-Replayed")).contains("true");

    Response different =
        app.send(
            "POST",
            "/api/v1/orders",
            token,
            "{\"items\":[{\"sku\":\"PEN-1\",\"quantity\":2}]}",
            "key-123");
    assertThat(different.status()).isEqualTo(409);
    assertThat(different.contentType()).startsWith("application/problem+json");
    String customer = app.get("/api/v1/users/me", token).json().get("id").asText();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                app.get("/api/v1/customers/" + customer + "/stats", token)
                        .json()
                        .get("orderCount")
                        .asInt()
                    == 1);
  }

  @Test
  void rejectsUnknownProductsAndBadQuantitiesNamingTheField() throws Exception {
    String token = app.customer("quinn");
    Response unknown =
        app.send(
            "POST", "/api/v1/orders", token, "{\"items\":[{\"sku\":\"NOPE\",\"quantity\":1}]}");
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.json().get("field").asText()).isEqualTo("$.items[0].sku");
    Response zero =
        app.send(
            "POST",
            "/api/v1/orders",
            token,
            "{\"items\":[{\"sku\":\"PEN-1\",\"quantity\":1},{\"sku\":\"BOOK-1\",\"quantity\":0}]}");
    assertThat(zero.status()).isEqualTo(400);
    assertThat(zero.json().get("field").asText()).isEqualTo("$.items[1].quantity");
    Response price =
        app.send(
            "POST",
            "/api/v1/orders",
            token,
            "{\"items\":[{\"sku\":\"PEN-1\",\"quantity\":1,\"price\":1}]}");
    assertThat(price.status()).isEqualTo(400);
    assertThat(price.json().get("field").asText()).isEqualTo("$.items[0].price");
  }

  @Test
  void anOrderCarriesItsShippingAddressIntoEveryView() throws Exception {
    String token = app.customer("ursula");
    String address =
        "{\"name\":\"Ursula K\",\"line1\":\"Hauptstr. 5\",\"city\":\"Berlin\","
            + "\"postalCode\":\"10115\",\"country\":\"DE\"}";
    Response placed =
        app.send(
            "POST",
            "/api/v1/orders",
            token,
            "{\"items\":[{\"sku\":\"PEN-1\",\"quantity\":1}],\"shippingAddress\":" + address + "}");
    assertThat(placed.status()).as(placed.body()).isEqualTo(202);
    JsonNode sent = placed.json().get("shippingAddress");
    assertThat(sent.get("name").asText()).isEqualTo("Ursula K");
    assertThat(sent.get("line1").asText()).isEqualTo("Hauptstr. 5");
    assertThat(sent.has("line2")).isFalse();
    assertThat(sent.get("city").asText()).isEqualTo("Berlin");
    assertThat(sent.get("postalCode").asText()).isEqualTo("10115");
    assertThat(sent.get("country").asText()).isEqualTo("DE");
    String id = placed.json().get("id").asText();
    String customer = app.get("/api/v1/users/me", token).json().get("id").asText();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                app.get("/api/v1/customers/" + customer + "/orders", token)
                        .json()
                        .get("items")
                        .size()
                    == 1);
    JsonNode listed = app.get("/api/v1/customers/" + customer + "/orders", token).json();
    assertThat(listed.get("items").get(0).get("shippingAddress")).isEqualTo(sent);
    assertThat(app.get("/api/v1/orders/" + id, token).json().get("shippingAddress"))
        .isEqualTo(sent);
  }

  @Test
  void rejectsABadShippingAddressNamingTheFieldAndPlacesNothing() throws Exception {
    String token = app.customer("victor");
    String[][] cases = {
      {
        "{\"line1\":\"a\",\"city\":\"b\",\"postalCode\":\"1\",\"country\":\"DE\"}",
        "$.shippingAddress.name",
        "name is required"
      },
      {
        "{\"name\":\"a\",\"line1\":\"a\",\"city\":\"b\",\"postalCode\":\"1\","
            + "\"country\":\"XX\"}",
        "$.shippingAddress.country",
        "ISO 3166-1 alpha-2"
      },
      {
        "{\"name\":\"a\",\"line1\":\"a\",\"city\":\"b\",\"postalCode\":\"1\","
            + "\"country\":\"de\"}",
        "$.shippingAddress.country",
        "ISO 3166-1 alpha-2"
      },
      {
        "{\"name\":\"a\",\"line1\":\"a\",\"city\":\""
            + "c".repeat(101)
            + "\","
            + "\"postalCode\":\"1\",\"country\":\"DE\"}",
        "$.shippingAddress.city",
        "at most 100 characters"
      },
      {
        "{\"name\":\"a\",\"line1\":\"a\",\"city\":\"b\",\"postalCode\":\"1\","
            + "\"country\":\"DE\",\"phone\":\"1\"}",
        "$.shippingAddress.phone",
        "unknown field"
      },
      {"\"Berlin\"", "$.shippingAddress", "expected a JSON object"}
    };
    for (String[] c : cases) {
      Response r =
          app.send(
              "POST",
              "/api/v1/orders",
              token,
              "{\"items\":[{\"sku\":\"PEN-1\",\"quantity\":1}],\"shippingAddress\":" + c[0] + "}");
      assertThat(r.status()).as(r.body()).isEqualTo(400);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(r.json().get("field").asText()).isEqualTo(c[1]);
      assertThat(r.json().get("detail").asText()).contains(c[2]);
    }
    String customer = app.get("/api/v1/users/me", token).json().get("id").asText();
    assertThat(
            app.get("/api/v1/customers/" + customer + "/stats", token)
                .json()
                .get("orderCount")
                .asInt())
        .isZero();
  }

  @Test
  void forbidsReadingAnotherCustomersOrdersAndStats() throws Exception {
    String rita = app.customer("rita");
    String sam = app.customer("sam");
    Response placed =
        app.send(
            "POST", "/api/v1/orders", rita, "{\"items\":[{\"sku\":\"PEN-1\",\"quantity\":1}]}");
    String ritaId = app.get("/api/v1/users/me", rita).json().get("id").asText();
    assertThat(app.get("/api/v1/orders/" + placed.json().get("id").asText(), sam).status())
        .isEqualTo(403);
    assertThat(app.get("/api/v1/customers/" + ritaId + "/orders", sam).status()).isEqualTo(403);
    assertThat(app.get("/api/v1/customers/" + ritaId + "/stats", sam).status()).isEqualTo(403);
    assertThat(app.get("/api/v1/customers/" + ritaId + "/orders", admin).status()).isEqualTo(200);
    String ritasOrder = placed.json().get("id").asText();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> app.get("/api/v1/payments/" + ritasOrder, rita).status() == 200);
    assertThat(app.get("/api/v1/payments/" + ritasOrder, sam).status()).isEqualTo(403);
    assertThat(app.get("/api/v1/payments/" + ritasOrder, admin).status()).isEqualTo(200);
  }

  @Test
  void listsACustomersOrdersNewestFirstWithFiltersAndStatistics() throws Exception {
    String token = app.customer("tina");
    String me = app.get("/api/v1/users/me", token).json().get("id").asText();
    Instant before = Instant.now().minusSeconds(1);
    String[] ids = new String[3];
    for (int i = 0; i < 3; i++) {
      ids[i] =
          app.send(
                  "POST",
                  "/api/v1/orders",
                  token,
                  "{\"items\":[{\"sku\":\"BOOK-1\",\"quantity\":" + (i + 1) + "}]}")
              .json()
              .get("id")
              .asText();
    }
    for (String id : ids) {
      awaitTerminal(id, token);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                app.get("/api/v1/customers/" + me + "/stats", token)
                        .json()
                        .get("confirmedCount")
                        .asInt()
                    == 3);
    JsonNode page =
        app.get("/api/v1/customers/" + me + "/orders?status=CONFIRMED&limit=2", token).json();
    assertThat(page.get("items")).hasSize(2);
    assertThat(page.get("items").get(0).get("id").asText()).isEqualTo(ids[2]);
    assertThat(page.get("items").get(1).get("id").asText()).isEqualTo(ids[1]);
    assertThat(page.get("nextOffset").asInt()).isEqualTo(2);
    JsonNode rest =
        app.get("/api/v1/customers/" + me + "/orders?status=CONFIRMED&limit=2&offset=2", token)
            .json();
    assertThat(rest.get("items")).hasSize(1);
    assertThat(rest.get("nextOffset").isNull()).isTrue();
    assertThat(
            app.get("/api/v1/customers/" + me + "/orders?status=FAILED", token).json().get("items"))
        .isEmpty();
    assertThat(
            app.get("/api/v1/customers/" + me + "/orders?from=" + before.plusSeconds(3600), token)
                .json()
                .get("items"))
        .isEmpty();
    assertThat(app.get("/api/v1/customers/" + me + "/orders?status=LOST", token).status())
        .isEqualTo(400);

    JsonNode stats = app.get("/api/v1/customers/" + me + "/stats", token).json();
    assertThat(stats.get("orderCount").asInt()).isEqualTo(3);
    assertThat(stats.get("totalSpent").asLong()).isEqualTo(6 * 4500);
    assertThat(stats.get("averageOrderValue").asLong()).isEqualTo(2 * 4500);
    assertThat(stats.get("lastOrderId").asText()).isEqualTo(ids[2]);
  }

  @Test
  void rebuildsTheReadSideFromTheEventLogWithTheSameResult() throws Exception {
    String token = app.customer("uma");
    String me = app.get("/api/v1/users/me", token).json().get("id").asText();
    String id =
        app.send(
                "POST", "/api/v1/orders", token, "{\"items\":[{\"sku\":\"PEN-1\",\"quantity\":3}]}")
            .json()
            .get("id")
            .asText();
    awaitTerminal(id, token);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                app.get("/api/v1/customers/" + me + "/stats", token)
                        .json()
                        .get("confirmedCount")
                        .asInt()
                    == 1);
    String statsBefore = app.get("/api/v1/customers/" + me + "/stats", token).body();

    Response rebuilt = app.send("POST", "/api/v1/admin/projections/orders/rebuild", admin, null);
    assertThat(rebuilt.status()).isEqualTo(200);
    assertThat(rebuilt.json().get("eventsApplied").asInt()).isGreaterThanOrEqualTo(4);
    assertThat(app.send("POST", "/api/v1/admin/projections/orders/rebuild", token, null).status())
        .isEqualTo(403);
    assertThat(app.get("/api/v1/customers/" + me + "/stats", token).body()).isEqualTo(statsBefore);
    assertThat(app.get("/api/v1/orders/" + id, token).json().get("status").asText())
        .isEqualTo("CONFIRMED");
  }
}
