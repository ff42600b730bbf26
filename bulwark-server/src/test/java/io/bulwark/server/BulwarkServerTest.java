package io.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.eventstore.ExpectedVersion;
import io.bulwark.eventstore.NewEvent;
import io.bulwark.http.JsonBody;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.Problem;
import io.bulwark.testkit.PostgresExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class BulwarkServerTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();

  record Order(String sku, int quantity) {}

  static final class OutOfStock extends RuntimeException implements Problem {
    OutOfStock() {
      super("sku ABC has 0 available, 3 requested");
    }

    public int status() {
      return 409;
    }

    public String title() {
      return "Insufficient stock";
    }

    public String type() {
      return "insufficient-stock";
    }

    public String detail() {
      return getMessage();
    }
  }

  static BulwarkServer server;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    server =
        BulwarkServer.builder(
                ServerConfig.builder()
                    .name("test")
                    .httpPort(0)
                    .jdbcUrl(pg.jdbcUrl())
                    .poolSize(4)
                    .shutdownGrace(Duration.ofSeconds(10))
                    .build())
            .module(
                platform ->
                    app -> {
                      app.post("/api/v1/echo", ctx -> ctx.json(JsonBody.read(ctx, Order.class)));
                      app.post(
                          "/api/v1/streams/{stream}",
                          ctx -> {
                            platform
                                .eventStore()
                                .append(
                                    ctx.pathParam("stream"),
                                    ExpectedVersion.ANY,
                                    NewEvent.of("Echoed", Map.of("body", ctx.body())));
                            ctx.status(204);
                          });
                      app.get(
                          "/api/v1/boom",
                          ctx -> {
                            throw new IllegalStateException("secret internal detail");
                          });
                      app.get(
                          "/api/v1/conflict",
                          ctx -> {
                            throw new OutOfStock();
                          });
                    })
            .start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void reportsLiveAndReadyWhenTheDatabaseIsReachable() throws Exception {
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(Json.parse(ready.body()).get("status").asText()).isEqualTo("UP");
  }

  @Test
  void exposesJvmHttpAndPoolMetricsInPrometheusFormat() throws Exception {
    get("/health/live");
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body())
        .contains("jvm_memory_used_bytes")
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",status=\"200\",uri=\"/health/live\"")
        .contains("hikaricp_connections")
        // a histogram (aggregatable across instances), not a summary
        .contains("# TYPE http_server_requests_seconds histogram")
        .contains(
            "http_server_requests_seconds_bucket{method=\"GET\",status=\"200\","
                + "uri=\"/health/live\",le=\"0.005\"}");
  }

  @Test
  void exportsEventStoreMetricsOfTheSharedStore() throws Exception {
    assertThat(post("/api/v1/streams/metrics-1", "hello").statusCode()).isEqualTo(204);
    assertThat(get("/metrics").body())
        .containsPattern("bulwark_eventstore_appends_total(\\{[^}]*\\})? [1-9]")
        .contains("bulwark_eventstore_append_latency_seconds_count");
  }

  @Test
  void answersUnknownRoutesWithProblemJsonAndEchoesTheRequestId() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/nope"))
                .header("X-Request-Id", "req-123")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(r.headers().firstValue("X-Request-Id")).contains("req-123");
    JsonNode body = Json.parse(r.body());
    assertThat(body.get("status").asInt()).isEqualTo(404);
    assertThat(body.get("type").asText()).isEqualTo("/problems/not-found");
    assertThat(body.get("detail").asText()).isEqualTo("no route for GET /nope");
    assertThat(body.get("correlationId").asText()).isEqualTo("req-123");
  }

  @Test
  void answersAWrongMethodWith405AndTheMethodsThePathAllows() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/health/live")).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).contains("GET");
    assertThat(r.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    JsonNode body = Json.parse(r.body());
    assertThat(body.get("type").asText()).isEqualTo("/problems/method-not-allowed");
    assertThat(body.get("detail").asText()).contains("DELETE", "/health/live", "GET");
  }

  @Test
  void namesTheFieldWhenTheBodyHasTheWrongType() throws Exception {
    HttpResponse<String> r = post("/api/v1/echo", "{\"sku\":\"A\",\"quantity\":\"lots\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = Json.parse(r.body());
    assertThat(body.get("field").asText()).isEqualTo("$.quantity");
    assertThat(body.get("detail").asText()).isEqualTo("expected an integer but got lots");
  }

  @Test
  void rejectsMalformedJsonUnknownFieldsAndEmptyBodies() throws Exception {
    assertThat(Json.parse(post("/api/v1/echo", "{\"sku\":").body()).get("detail").asText())
        .startsWith("malformed JSON at line 1");
    JsonNode unknown =
        Json.parse(post("/api/v1/echo", "{\"sku\":\"A\",\"quantity\":1,\"x\":2}").body());
    assertThat(unknown.get("detail").asText()).isEqualTo("unknown field \"x\"");
    assertThat(unknown.get("field").asText()).isEqualTo("$.x");
    assertThat(post("/api/v1/echo", "").statusCode()).isEqualTo(400);
    assertThat(post("/api/v1/echo", "{\"sku\":\"A\",\"quantity\":2}").body())
        .isEqualTo("{\"sku\":\"A\",\"quantity\":2}");
  }

  @Test
  void rendersDomainProblemsWithTheirStatus() throws Exception {
    HttpResponse<String> r = get("/api/v1/conflict");
    assertThat(r.statusCode()).isEqualTo(409);
    JsonNode body = Json.parse(r.body());
    assertThat(body.get("type").asText()).isEqualTo("/problems/insufficient-stock");
    assertThat(body.get("detail").asText()).isEqualTo("sku ABC has 0 available, 3 requested");
  }

  @Test
  void answers503WithRetryAfterWhenNoDatabaseConnectionIsFreeInTime() throws Exception {
    List<java.sql.Connection> held = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) { // the whole pool
        held.add(server.database().dataSource().getConnection());
      }
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/streams/busy"))
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).contains("1");
      JsonNode body = Json.parse(r.body());
      assertThat(body.get("type").asText()).isEqualTo("/problems/service-unavailable");
      assertThat(body.get("detail").asText()).contains("retry");
    } finally {
      for (java.sql.Connection c : held) {
        c.close();
      }
    }
  }

  @Test
  void hidesInternalErrorsBehindACorrelationId() throws Exception {
    HttpResponse<String> r = get("/api/v1/boom");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).doesNotContain("secret internal detail").doesNotContain("Exception");
    JsonNode body = Json.parse(r.body());
    assertThat(body.get("detail").asText()).contains(body.get("correlationId").asText());
  }

  @Test
  void finishesInFlightRequestsOnShutdown() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BulwarkServer own =
        BulwarkServer.builder(
                ServerConfig.builder()
                    .name("graceful")
                    .httpPort(0)
                    .jdbcUrl(pg.jdbcUrl())
                    .poolSize(2)
                    .build())
            .module(
                p ->
                    app ->
                        app.get(
                            "/slow",
                            ctx -> {
                              started.countDown();
                              release.await(20, TimeUnit.SECONDS);
                              ctx.result("done");
                            }))
            .start();
    int port = own.port();
    CompletableFuture<HttpResponse<String>> inFlight =
        http.sendAsync(
            HttpRequest.newBuilder(URI.create(own.baseUrl() + "/slow")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(own::close);
    // Once the server refuses new connections it is shutting down; the old request must finish.
    await().atMost(Duration.ofSeconds(10)).until(() -> !accepts(port));
    release.countDown();

    HttpResponse<String> r = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("done");
    stopping.get(20, TimeUnit.SECONDS);
  }

  @Test
  void failsOnATakenPortAndStopsItsEmbeddedDatabase(@TempDir Path home) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      BulwarkServer.Builder builder =
          BulwarkServer.builder(
              ServerConfig.builder()
                  .name("busy")
                  .home(home)
                  .httpPort(taken.getLocalPort())
                  .poolSize(2)
                  .build());
      assertThatThrownBy(builder::start)
          .isInstanceOf(PortInUseException.class)
          .hasMessage("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use");
    }
    assertThat(home.resolve("busy/pg/postmaster.pid")).doesNotExist();
  }

  @Test
  void startsItsOwnEmbeddedDatabaseAndTurnsUnreadyWhenItDies(@TempDir Path home) throws Exception {
    try (BulwarkServer own =
        BulwarkServer.builder(
                ServerConfig.builder().name("embedded").home(home).httpPort(0).poolSize(2).build())
            .start()) {
      assertThat(Files.exists(home.resolve("embedded/pg/PG_VERSION"))).isTrue();
      String ready = own.baseUrl() + "/health/ready";
      assertThat(status(ready)).isEqualTo(200);

      own.postgres().orElseThrow().kill();

      await().atMost(Duration.ofSeconds(40)).until(() -> status(ready) == 503);
    }
  }

  private static int status(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
