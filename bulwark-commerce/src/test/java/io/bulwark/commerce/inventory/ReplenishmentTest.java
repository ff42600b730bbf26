package io.bulwark.commerce.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.TestServer.Response;
import io.bulwark.commerce.auth.Role;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.ExecutionStatus;
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

/**
 * A product that falls to its reorder point opens a replenishment request, run by the {@code
 * inventory-replenishment} state machine: an operator approves it, receives the goods, and stock
 * grows with an {@code InventoryUpdated} event.
 */
class ReplenishmentTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static TestServer app;
  static String admin;
  static String operator;

  @BeforeAll
  static void start() throws Exception {
    app = new TestServer(pg.jdbcUrl(), home, o -> o);
    admin = app.adminToken();
    app.commerce.identity().create("stock-op", "operator-password", "Stock Op", Role.OPERATOR);
    operator = app.login("stock-op", "operator-password");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static void product(String sku, int available, int threshold) throws Exception {
    Response r =
        app.send(
            "POST",
            "/api/v1/products",
            admin,
            "{\"sku\":\""
                + sku
                + "\",\"name\":\"Product\",\"price\":100,\"lowStockThreshold\":"
                + threshold
                + ",\"available\":"
                + available
                + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  /** The requests for {@code sku}, newest first. */
  static List<JsonNode> requests(String sku) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode r : app.get("/api/v1/replenishments?limit=1000", operator).json()) {
      if (r.get("sku").asText().equals(sku)) {
        out.add(r);
      }
    }
    return out;
  }

  static JsonNode awaitRequest(String id, String status) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> app.get("/api/v1/replenishments/" + id, operator).json(),
            r -> r.get("status").asText().equals(status) && r.get("waiting").asBoolean());
  }

  static List<JsonNode> events(String sku, String type) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : app.get("/api/v1/inventory-events?limit=1000", operator).json()) {
      if (e.get("type").asText().equals(type) && sku.equals(e.at("/payload/sku").asText())) {
        out.add(e);
      }
    }
    return out;
  }

  @Test
  void aProductAtItsReorderPointIsRequestedApprovedReceivedAndRestocked() throws Exception {
    product("REPL-1", 10, 5);
    assertThat(requests("REPL-1")).isEmpty();
    assertThat(events("REPL-1", "LowStockAlert")).isEmpty();

    Response adjusted =
        app.send("POST", "/api/v1/inventory/REPL-1/adjustments", admin, "{\"delta\":-6}");
    assertThat(adjusted.status()).as(adjusted.body()).isEqualTo(200);
    assertThat(events("REPL-1", "LowStockAlert"))
        .singleElement()
        .satisfies(e -> assertThat(e.at("/payload/available").asInt()).isEqualTo(4));
    List<JsonNode> opened = requests("REPL-1");
    assertThat(opened).hasSize(1);
    String id = opened.getFirst().get("id").asText();
    assertThat(opened.getFirst().get("quantity").asInt()).as("back to twice 5").isEqualTo(6);
    assertThat(events("REPL-1", "ReplenishmentRequested")).hasSize(1);

    // falling further while a request is open opens no second one
    app.send("POST", "/api/v1/inventory/REPL-1/adjustments", admin, "{\"delta\":-1}");
    assertThat(requests("REPL-1")).hasSize(1);

    awaitRequest(id, "REQUESTED");
    Response early = app.send("POST", "/api/v1/replenishments/" + id + "/receive", operator, "{}");
    assertThat(early.status()).as(early.body()).isEqualTo(409);
    Response approved =
        app.send(
            "POST", "/api/v1/replenishments/" + id + "/approve", operator, "{\"quantity\":20}");
    assertThat(approved.status()).as(approved.body()).isEqualTo(202);
    assertThat(
            app.send("POST", "/api/v1/replenishments/" + id + "/approve", operator, "{}").status())
        .as("approved once")
        .isEqualTo(409);

    JsonNode waiting = awaitRequest(id, "APPROVED");
    assertThat(waiting.get("quantity").asInt()).isEqualTo(20);
    int updatesBefore = events("REPL-1", "InventoryUpdated").size();
    Response received =
        app.send("POST", "/api/v1/replenishments/" + id + "/receive", operator, "{}");
    assertThat(received.status()).as(received.body()).isEqualTo(202);

    JsonNode done =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> app.get("/api/v1/replenishments/" + id, operator).json(),
                r -> r.get("status").asText().equals("RECEIVED"));
    assertThat(done.get("receivedQuantity").asInt()).isEqualTo(20);
    assertThat(done.get("waiting").asBoolean()).isFalse();
    assertThat(app.get("/api/v1/inventory/REPL-1", admin).json().get("available").asInt())
        .isEqualTo(3 + 20);
    List<JsonNode> updates = events("REPL-1", "InventoryUpdated");
    assertThat(updates).hasSize(updatesBefore + 1);
    assertThat(updates.getLast().at("/payload/reason").asText()).isEqualTo("replenished");
    assertThat(updates.getLast().at("/payload/available").asInt()).isEqualTo(23);
    assertThat(
            app.send("POST", "/api/v1/replenishments/" + id + "/receive", operator, "{}").status())
        .as("received once")
        .isEqualTo(409);

    String arn = Engine.executionArn("inventory-replenishment", id);
    assertThat(
            await()
                .atMost(Duration.ofSeconds(10))
                .until(
                    () -> app.commerce.engine().describe(arn).status(),
                    s -> s != ExecutionStatus.RUNNING))
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(app.commerce.engine().history(arn).toString())
        .contains("AwaitApproval", "AwaitReceipt", "AddStock");
  }

  @Test
  void anOrderThatTakesStockToTheReorderPointOpensARequest() throws Exception {
    product("REPL-2", 8, 5);
    String customer = app.customer("repl-buyer");
    Response placed =
        app.send(
            "POST",
            "/api/v1/orders",
            customer,
            "{\"items\":[{\"sku\":\"REPL-2\",\"quantity\":3}]}",
            "repl-order");
    assertThat(placed.status()).as(placed.body()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(30)).until(() -> requests("REPL-2").size() == 1);
    assertThat(events("REPL-2", "LowStockAlert")).hasSize(1);
    awaitRequest(requests("REPL-2").getFirst().get("id").asText(), "REQUESTED");
  }

  @Test
  void aRejectedRequestEndsAndTheNextFallOpensANewOne() throws Exception {
    product("REPL-4", 1, 3);
    String id = requests("REPL-4").getFirst().get("id").asText();
    awaitRequest(id, "REQUESTED");
    Response control =
        app.send(
            "POST",
            "/api/v1/replenishments/" + id + "/reject",
            operator,
            "{\"reason\":\"a\\u0007\"}");
    assertThat(control.status()).isEqualTo(400);
    assertThat(control.json().get("field").asText()).isEqualTo("$.reason");

    Response rejected =
        app.send(
            "POST",
            "/api/v1/replenishments/" + id + "/reject",
            operator,
            "{\"reason\":\"supplier has none\"}");
    assertThat(rejected.status()).as(rejected.body()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> app.get("/api/v1/replenishments/" + id, operator).json(),
            r -> r.get("status").asText().equals("REJECTED"));
    assertThat(events("REPL-4", "ReplenishmentRejected"))
        .singleElement()
        .satisfies(
            e -> assertThat(e.at("/payload/reason").asText()).isEqualTo("supplier has none"));
    assertThat(
            app.send("POST", "/api/v1/replenishments/" + id + "/approve", operator, "{}").status())
        .isEqualTo(409);
    assertThat(app.get("/api/v1/replenishments?status=rejected", operator).body()).contains(id);
    String arn = Engine.executionArn("inventory-replenishment", id);
    assertThat(
            await()
                .atMost(Duration.ofSeconds(10))
                .until(
                    () -> app.commerce.engine().describe(arn).status(),
                    s -> s != ExecutionStatus.RUNNING))
        .isEqualTo(ExecutionStatus.SUCCEEDED);

    app.send("POST", "/api/v1/inventory/REPL-4/adjustments", admin, "{\"delta\":-1}");
    assertThat(requests("REPL-4")).hasSize(2);
    assertThat(requests("REPL-4").getFirst().get("status").asText()).isEqualTo("REQUESTED");
  }

  @Test
  void onlyOperatorsAndAdminsApproveAndBadInputIsNamed() throws Exception {
    product("REPL-3", 0, 2);
    String id = requests("REPL-3").getFirst().get("id").asText();
    awaitRequest(id, "REQUESTED");
    String customer = app.customer("repl-customer");
    assertThat(app.get("/api/v1/replenishments", customer).status()).isEqualTo(403);
    assertThat(
            app.send("POST", "/api/v1/replenishments/" + id + "/approve", customer, "{}").status())
        .isEqualTo(403);

    Response zero =
        app.send("POST", "/api/v1/replenishments/" + id + "/approve", admin, "{\"quantity\":0}");
    assertThat(zero.status()).isEqualTo(400);
    assertThat(zero.json().get("field").asText()).isEqualTo("$.quantity");
    Response badStatus = app.get("/api/v1/replenishments?status=lost", operator);
    assertThat(badStatus.status()).isEqualTo(400);
    assertThat(badStatus.json().get("field").asText()).isEqualTo("status");
    assertThat(
            app.send(
                    "POST",
                    "/api/v1/replenishments/00000000-0000-7000-8000-000000000000/approve",
                    admin,
                    "{}")
                .status())
        .isEqualTo(404);
    assertThat(app.get("/api/v1/replenishments/" + id, operator).json().get("status").asText())
        .as("nothing changed")
        .isEqualTo("REQUESTED");
    assertThat(app.send("POST", "/api/v1/replenishments/" + id + "/approve", admin, "{}").status())
        .as("admins approve too")
        .isEqualTo(202);
  }
}
