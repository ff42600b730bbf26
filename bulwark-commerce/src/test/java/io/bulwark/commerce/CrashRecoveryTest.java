package io.bulwark.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.payment.simulator.PaymentSimulatorProcess;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.kernel.Json;
import io.bulwark.testkit.PostgresExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the server mid-load: every acknowledged order survives and reaches a terminal state.
 */
class CrashRecoveryTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir Path home;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  record Child(Process process, String baseUrl) {}

  Child startServer(URI gateway) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                CommerceProcessMain.class.getName(),
                pg.jdbcUrl(),
                home.toString(),
                gateway.toString())
            .redirectError(home.resolve("server-" + System.nanoTime() + ".log").toFile())
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line =
        CompletableFuture.supplyAsync(
                () -> {
                  try {
                    String l;
                    while ((l = out.readLine()) != null) {
                      if (l.startsWith("READY ")) {
                        return l;
                      }
                    }
                    return null;
                  } catch (java.io.IOException e) {
                    return null;
                  }
                })
            .get(90, TimeUnit.SECONDS);
    assertThat(line).as("server process announced its port").isNotNull();
    return new Child(p, "http://127.0.0.1:" + line.substring(6).trim());
  }

  HttpResponse<String> call(String base, String method, String path, String token, String body)
      throws Exception {
    return http.send(
        TestServer.request(base + path, method, token, body).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  String login(String base, String user, String password) throws Exception {
    return Json.parse(
            call(
                    base,
                    "POST",
                    "/api/v1/auth/login",
                    null,
                    "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}")
                .body())
        .get("accessToken")
        .asText();
  }

  @Test
  void everyAcknowledgedOrderSurvivesAKillNineAndReachesATerminalState() throws Exception {
    try (PaymentSimulatorProcess gateway =
        PaymentSimulatorProcess.start(
            SimulatorOptions.defaults()
                .withLatency(Duration.ofMillis(20), Duration.ofMillis(60))
                .withRates(0, 0.2, 0))) {
      Child first = startServer(gateway.baseUrl());
      Child second = null;
      try {
        String admin = login(first.baseUrl(), "admin", CommerceProcessMain.ADMIN_PASSWORD);
        assertThat(
                call(
                        first.baseUrl(),
                        "POST",
                        "/api/v1/products",
                        admin,
                        "{\"sku\":\"CRASH-1\",\"name\":\"Crash dummy\",\"price\":700,\"available\":40}")
                    .statusCode())
            .isEqualTo(201);
        String customer = login(first.baseUrl(), DemoData.CUSTOMER, DemoData.CUSTOMER_PASSWORD);

        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService load = Executors.newFixedThreadPool(6);
        String base = first.baseUrl();
        for (int t = 0; t < 6; t++) {
          load.submit(
              () -> {
                for (int i = 0; i < 40 && !stop.get(); i++) {
                  try {
                    HttpResponse<String> r =
                        call(
                            base,
                            "POST",
                            "/api/v1/orders",
                            customer,
                            "{\"items\":[{\"sku\":\"CRASH-1\",\"quantity\":1}]}");
                    if (r.statusCode() == 202) {
                      acknowledged.add(Json.parse(r.body()).get("id").asText());
                    }
                  } catch (Exception e) {
                    return; // the server is gone
                  }
                }
              });
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 60);
        first.process().destroyForcibly(); // SIGKILL: no shutdown hooks, no graceful stop
        first.process().waitFor(10, TimeUnit.SECONDS);
        stop.set(true);
        load.shutdown();
        assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(unfinishedSagas()).as("the kill left sagas mid-flight").isPositive();

        second = startServer(gateway.baseUrl());
        String base2 = second.baseUrl();
        List<String> ids = new ArrayList<>(acknowledged);
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(300))
            .until(() -> unfinishedSagas() == 0);

        // The read side catches up from its checkpoint after the crash as well.
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(300))
            .until(
                () -> {
                  for (String id : ids) {
                    HttpResponse<String> r =
                        call(base2, "GET", "/api/v1/orders/" + id, customer, null);
                    if (r.statusCode() != 200
                        || Json.parse(r.body()).get("status").asText().equals("PENDING")) {
                      return false;
                    }
                  }
                  return true;
                });

        long confirmedTotal = 0;
        int confirmed = 0;
        for (String id : ids) {
          HttpResponse<String> r = call(base2, "GET", "/api/v1/orders/" + id, customer, null);
          assertThat(r.statusCode()).as("acknowledged order %s exists", id).isEqualTo(200);
          JsonNode order = Json.parse(r.body());
          assertThat(order.get("status").asText()).isIn("CONFIRMED", "FAILED");
          if (order.get("status").asText().equals("CONFIRMED")) {
            confirmed++;
            confirmedTotal += order.get("total").asLong();
          }
        }
        JsonNode stock =
            Json.parse(call(base2, "GET", "/api/v1/inventory/CRASH-1", admin, null).body());
        assertThat(stock.get("reserved").asInt()).isZero();
        assertThat(stock.get("available").asInt())
            .isEqualTo(40 - soldUnits())
            .isGreaterThanOrEqualTo(0);
        assertThat(soldUnits()).isEqualTo(confirmedOrders());
        assertThat(confirmed).isLessThanOrEqualTo(confirmedOrders());
        JsonNode stats =
            Json.parse(
                http.send(
                        HttpRequest.newBuilder(gateway.baseUrl().resolve("/stats")).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
        assertThat(stats.get("duplicateCharges").asInt()).isZero();
        assertThat(stats.get("netCharged").asLong()).isEqualTo(700L * confirmedOrders());
        assertThat(confirmedTotal).isEqualTo(700L * confirmed);
      } finally {
        first.process().destroyForcibly();
        if (second != null) {
          second.process().getOutputStream().close();
          if (!second.process().waitFor(15, TimeUnit.SECONDS)) {
            second.process().destroyForcibly();
          }
        }
      }
    }
  }

  int unfinishedSagas() throws Exception {
    return count(
        "select count(*) from states_executions where parent_arn is null and status = 'RUNNING'"
            + " and machine_name in ('order-saga', 'order-compensation')");
  }

  int soldUnits() throws Exception {
    return count(
        "select coalesce(sum(l.quantity), 0) from inventory_reservation_lines l join"
            + " inventory_reservations r on r.id = l.reservation_id where r.status = 'COMMITTED'");
  }

  int confirmedOrders() throws Exception {
    return count("select count(*) from eventstore_events where type = 'OrderConfirmed'");
  }

  int count(String sql) throws Exception {
    try (Connection c = pg.database().dataSource().getConnection();
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
