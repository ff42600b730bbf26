package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code bulwark demo --ha} as a real process: the shop's instances run as their own processes
 * behind the gateway, an order placed through the gateway confirms, a SIGKILLed instance costs no
 * request and is replaced, a SIGKILLed database primary costs no acknowledged order, and SIGTERM
 * leaves nothing behind.
 */
class HighAvailabilityDemoTest {

  static final String METRICS_TOKEN = "metrics-token-for-the-test";

  @TempDir Path home;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesThroughTheGatewayAndSurvivesAnInstanceKilledWithSigkill() throws Exception {
    Process demo = DemoProcess.start(home, "--ha", "--metrics-token", METRICS_TOKEN);
    List<ProcessHandle> started = List.of();
    try {
      String url = DemoProcess.url(demo);
      assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+");
      started = instances(demo);
      assertThat(started).hasSize(3);

      // the instances got the demo's own options: /metrics needs the token
      assertThat(send("GET", url + "/metrics", null, null).statusCode()).isEqualTo(403);
      assertThat(send("GET", url + "/metrics", METRICS_TOKEN, null).statusCode()).isEqualTo(200);

      // a second demo --ha on the same home is refused and touches nothing of the first
      Path secondErr = home.resolve("second-stderr.txt");
      Process second = DemoProcess.start(home, secondErr, "--ha");
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).isEqualTo(2);
      assertThat(java.nio.file.Files.readString(secondErr)).contains("is running on").contains(url);
      assertThat(instances(demo)).containsExactlyInAnyOrderElementsOf(started);

      String token =
          Json.parse(
                  send(
                          "POST",
                          url + "/api/v1/auth/login",
                          null,
                          "{\"username\":\"demo\",\"password\":\"demo-password\"}")
                      .body())
              .get("accessToken")
              .asText();
      HttpResponse<String> order =
          send(
              "POST",
              url + "/api/v1/orders",
              token,
              "{\"items\":[{\"sku\":\"BOOK-1\",\"quantity\":1}]}");
      assertThat(order.statusCode()).isIn(201, 202);
      String id = Json.parse(order.body()).get("id").asText();
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  Json.parse(send("GET", url + "/api/v1/orders/" + id, token, null).body())
                      .get("status")
                      .asText()
                      .equals("CONFIRMED"));

      // the instances browse the catalog on the sync standby (demo --ha gives them its read URL)
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                HttpResponse<String> product =
                    send("GET", url + "/api/v1/products/BOOK-1", token, null);
                assertThat(product.statusCode()).isEqualTo(200);
                assertThat(product.headers().firstValue("X-Read-Source")).contains("replica");
              });

      // the Step Functions API through the gateway, signed as on the one-process demo
      assertThat(DemoProcess.stateMachinesListedByTheAwsCli(url, home)).contains("order-saga");

      ProcessHandle victim = started.get(0);
      victim.destroyForcibly(); // SIGKILL
      int failed = 0;
      for (int i = 0; i < 60; i++) {
        if (send("GET", url + "/api/v1/products", token, null).statusCode() != 200) {
          failed++;
        }
      }
      assertThat(failed).as("requests failed after an instance was killed").isZero();
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () ->
                  assertThat(instances(demo))
                      .as("the group replaced the killed instance")
                      .hasSize(3)
                      .doesNotContain(victim));

      databaseFailoverLosesNoAcknowledgedOrder(url, token);

      List<ProcessHandle> everything = demo.toHandle().descendants().toList();
      demo.destroy(); // SIGTERM
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(everything).noneMatch(ProcessHandle::isAlive));
    } finally {
      demo.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
    }
  }

  /**
   * Kills the database primary (its agent and its PostgreSQL, with SIGKILL) while four clients
   * place orders: the sync standby takes over, every order acknowledged with 202 exists afterwards
   * and ends CONFIRMED or FAILED, no idempotency key produced two orders, no stock went negative,
   * and the API answered 503 (never 500) while the primary switched.
   */
  private void databaseFailoverLosesNoAcknowledgedOrder(String url, String token) throws Exception {
    DatabaseCluster db = DatabaseCluster.open(home.resolve("demo").resolve("db"));
    try (db) {
      StringWriter out = new StringWriter();
      CommandLine cli = BulwarkCommand.commandLine();
      cli.setOut(new PrintWriter(out));
      assertThat(cli.execute("db", "status", "--json", "--home", home.toString())).isZero();
      JsonNode status = Json.parse(out.toString());
      assertThat(status.get("leader").asText()).isEqualTo("pg-a");
      assertThat(status.get("members")).hasSize(2);
      assertThat(status.get("members").get(1).get("sync").asBoolean()).isTrue();

      Map<String, String> acknowledged = new ConcurrentHashMap<>(); // key -> order id
      AtomicInteger serverErrors = new AtomicInteger();
      AtomicInteger unavailable = new AtomicInteger();
      AtomicBoolean placing = new AtomicBoolean(true);
      AtomicInteger keys = new AtomicInteger();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        clients.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      while (placing.get()) {
                        String key = "failover-" + keys.incrementAndGet();
                        for (int attempt = 0; attempt < 100 && placing.get(); attempt++) {
                          try {
                            HttpResponse<String> r = placeOrder(url, token, key);
                            if (r.statusCode() == 202 || r.statusCode() == 201) {
                              acknowledged.put(key, Json.parse(r.body()).get("id").asText());
                              break;
                            }
                            if (r.statusCode() >= 500 && r.statusCode() != 503) {
                              serverErrors.incrementAndGet();
                            }
                            if (r.statusCode() == 503) {
                              unavailable.incrementAndGet();
                            }
                            if (r.statusCode() == 409 || r.statusCode() == 422) {
                              break; // out of stock or similar: a business answer
                            }
                          } catch (Exception e) {
                            serverErrors.incrementAndGet();
                          }
                          java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
                        }
                      }
                    }));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 20);
      int before = acknowledged.size();
      db.killMember("pg-a");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> db.status().leader().map("pg-b"::equals).orElse(false));
      await().atMost(Duration.ofSeconds(90)).until(() -> acknowledged.size() >= before + 20);
      placing.set(false);
      for (Thread t : clients) {
        t.join(60_000);
      }
      assertThat(serverErrors.get()).as("500s or broken responses during failover").isZero();

      Set<String> ids = new HashSet<>(acknowledged.values());
      assertThat(ids).as("one order per idempotency key").hasSize(acknowledged.size());
      for (String id : ids) {
        await()
            .atMost(Duration.ofSeconds(120))
            .until(
                () -> {
                  HttpResponse<String> r = send("GET", url + "/api/v1/orders/" + id, token, null);
                  if (r.statusCode() != 200) {
                    return false;
                  }
                  String s = Json.parse(r.body()).get("status").asText();
                  return s.equals("CONFIRMED") || s.equals("FAILED");
                });
      }
      String operator =
          Json.parse(
                  send(
                          "POST",
                          url + "/api/v1/auth/login",
                          null,
                          "{\"username\":\"operator\",\"password\":\"operator-password\"}")
                      .body())
              .get("accessToken")
              .asText();
      HttpResponse<String> book = send("GET", url + "/api/v1/inventory/BOOK-1", operator, null);
      assertThat(book.statusCode()).as(book.body()).isEqualTo(200);
      JsonNode level = Json.parse(book.body());
      assertThat(level.get("available").asLong()).as("stock after failover").isNotNegative();
      assertThat(level.get("reserved").asLong()).as("reserved after failover").isNotNegative();
      // the old primary comes back as a standby of the new one
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> db.status().member("pg-a").orElseThrow().streaming());
    }
  }

  private HttpResponse<String> placeOrder(String url, String token, String key) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(url + "/api/v1/orders"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .header("Idempotency-Key", key)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"items\":[{\"sku\":\"BOOK-1\",\"quantity\":1}]}"))
            .build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code bulwark serve} processes the demo runs. */
  private static List<ProcessHandle> instances(Process demo) {
    return demo.toHandle()
        .children()
        .filter(p -> p.isAlive() && arguments(p).contains("serve"))
        .toList();
  }

  /** All arguments, read from /proc: {@code ProcessHandle.Info} truncates long command lines. */
  private static List<String> arguments(ProcessHandle p) {
    try {
      return List.of(
          new String(
                  Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                  StandardCharsets.UTF_8)
              .split("\0"));
    } catch (IOException e) {
      return List.of(); // it just exited
    }
  }

  private HttpResponse<String> send(String method, String url, String token, String body)
      throws Exception {
    return DemoProcess.send(http, method, url, token, body);
  }
}
