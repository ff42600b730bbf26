package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.commerce.TestServer;
import io.bulwark.states.http.StatesHttpModule;
import io.bulwark.testkit.PostgresExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator of the state-machine API tries to run the shop's saga functions on another customer's
 * order, through the REST API of a real server: the order's own saga is held in its payment step by
 * a card network that accepts the connection and never answers, so the order stays PENDING while
 * the attack runs.
 */
class SagaFunctionPrivilegeTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static ServerSocket silentGateway;
  static final List<Socket> held = new CopyOnWriteArrayList<>();
  static TestServer app;

  @BeforeAll
  static void start() throws IOException {
    silentGateway = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                while (true) {
                  held.add(silentGateway.accept());
                }
              } catch (IOException closed) {
                // the test is over
              }
            });
    app =
        new TestServer(
            pg.jdbcUrl(),
            home,
            o ->
                o.paymentGateway(URI.create("http://127.0.0.1:" + silentGateway.getLocalPort()))
                    .paymentTimeout(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50)),
            (server, commerce) -> server.module(p -> new StatesHttpModule(commerce.engine())));
  }

  @AfterAll
  static void stop() throws IOException {
    silentGateway.close();
    for (Socket s : held) {
      s.close();
    }
    if (app != null) {
      app.close();
    }
  }

  @Test
  void anOperatorsMachineCannotRunTheShopsFunctionsOnSomeoneElsesOrder() throws Exception {
    String admin = app.adminToken();
    app.send(
        "POST",
        "/api/v1/products",
        admin,
        "{\"sku\":\"LAMP-1\",\"name\":\"Lamp\",\"price\":4500,\"available\":3}");
    String victim = app.customer("victim");
    UUID order =
        UUID.fromString(
            app.send(
                    "POST",
                    "/api/v1/orders",
                    victim,
                    "{\"items\":[{\"sku\":\"LAMP-1\",\"quantity\":1}]}")
                .json()
                .get("id")
                .asText());
    await().atMost(Duration.ofSeconds(30)).until(() -> !held.isEmpty()); // its saga is paying

    String definition =
        """
        {"StartAt":"Reserve","States":{
          "Reserve":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
            "Parameters":{"FunctionName":"inventory-reservation-function","Payload.$":"$"},
            "Next":"Confirm"},
          "Confirm":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
            "Parameters":{"FunctionName":"order-confirmation-function","Payload.$":"$"},
            "End":true}}}""";
    assertThat(
            app.send(
                    "POST",
                    "/api/v1/state-machines",
                    admin,
                    "{\"name\":\"free-orders\",\"definition\":" + definition + "}")
                .status())
        .isEqualTo(201);
    TestServer.Response started =
        app.send(
            "POST",
            "/api/v1/executions",
            admin,
            "{\"stateMachineName\":\"free-orders\",\"name\":\"" + order + "\"}");
    assertThat(started.status()).isEqualTo(201);
    String execution = "/api/v1/executions/free-orders:" + order;
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !app.get(execution, admin).json().path("status").asText().equals("RUNNING"));
    TestServer.Response attack = app.get(execution, admin);
    assertThat(attack.json().path("status").asText()).isEqualTo("FAILED");
    assertThat(attack.json().path("error").asText()).isEqualTo("States.TaskFailed");
    assertThat(attack.json().path("cause").asText())
        .contains("no task handler is registered for resource arn:aws:states:::lambda:invoke");
    assertThat(app.commerce.orders().order(order).orElseThrow().status())
        .isEqualTo(OrderStatus.PENDING);

    TestServer.Response redefine =
        app.send(
            "POST",
            "/api/v1/state-machines",
            admin,
            "{\"name\":\"order-saga\",\"definition\":" + definition + "}");
    assertThat(redefine.status()).isEqualTo(403);
    assertThat(redefine.contentType()).startsWith("application/problem+json");
    assertThat(redefine.json().path("type").asText()).endsWith("state-machine-reserved");
    for (String machine : List.of("order-saga", "order-compensation", "inventory-replenishment")) {
      assertThat(
              app.send(
                      "POST",
                      "/api/v1/executions",
                      admin,
                      "{\"stateMachineName\":\"" + machine + "\",\"name\":\"" + order + "-x\"}")
                  .status())
          .as("starting %s through the API", machine)
          .isEqualTo(403);
    }
    assertThat(
            app.send("POST", "/api/v1/executions/order-saga:" + order + "/redrive", admin, "")
                .status())
        .isEqualTo(403);
    assertThat(app.commerce.orders().order(order).orElseThrow().status())
        .isEqualTo(OrderStatus.PENDING);
    assertThat(app.commerce.inventory().stock("LAMP-1").orElseThrow().available()).isEqualTo(2);
  }
}
