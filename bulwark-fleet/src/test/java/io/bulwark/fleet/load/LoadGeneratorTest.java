package io.bulwark.fleet.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {
  HttpServer server;
  String url;

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            boolean fail = exchange.getRequestURI().getPath().endsWith("/7");
            exchange.getResponseHeaders().set("X-Zone", fail ? "b" : "a");
            exchange.sendResponseHeaders(fail ? 500 : 200, -1);
          }
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void countsSentSucceededAndFailedRequestsAndLabelsWhatAnswered() {
    try (LoadGenerator load = LoadGenerator.create(Duration.ofSeconds(5), 8)) {
      LoadResult r =
          load.run(
              500,
              100,
              () -> false,
              n -> HttpRequest.newBuilder(URI.create(url + "/items/" + (n % 10))),
              resp -> resp.headers().firstValue("X-Zone").orElse(null));
      assertThat(r.sent()).isEqualTo(100);
      assertThat(r.failed()).isEqualTo(10);
      assertThat(r.succeeded()).isEqualTo(90);
      assertThat(r.byLabel()).containsExactlyEntriesOf(java.util.Map.of("a", 90L));
      assertThat(r.failureSamples()).first().asString().isEqualTo("GET /items/7: HTTP 500");
      assertThat(r.p99Millis()).isGreaterThanOrEqualTo(r.p50Millis()).isPositive();
    }
  }

  @Test
  void reportsWhatARunningRunMeasuredSoFar() {
    try (LoadGenerator load = LoadGenerator.create(Duration.ofSeconds(5), 8)) {
      assertThat(load.sofar()).isEmpty();
      java.util.concurrent.atomic.AtomicReference<LoadResult> midway =
          new java.util.concurrent.atomic.AtomicReference<>();
      LoadResult r =
          load.run(
              1000,
              Long.MAX_VALUE,
              () -> {
                // stop once 50 answers are in, noting what the run had measured by then
                LoadResult now = load.sofar().orElseThrow();
                if (now.succeeded() + now.failed() >= 50) {
                  midway.set(now);
                  return true;
                }
                return false;
              },
              n -> HttpRequest.newBuilder(URI.create(url + "/items/" + (n % 10))),
              resp -> resp.headers().firstValue("X-Zone").orElse(null));
      assertThat(midway.get().succeeded() + midway.get().failed()).isBetween(50L, r.sent());
      assertThat(midway.get().p99Millis()).isPositive();
      assertThat(load.sofar().orElseThrow().sent()).isEqualTo(r.sent());
    }
  }

  @Test
  void countsARefusedConnectionAsAFailure() {
    server.stop(0);
    try (LoadGenerator load = LoadGenerator.create(Duration.ofSeconds(2), 8)) {
      LoadResult r =
          load.run(
              Double.POSITIVE_INFINITY,
              5,
              () -> false,
              n -> HttpRequest.newBuilder(URI.create(url + "/x")),
              resp -> null);
      assertThat(r.sent()).isEqualTo(5);
      assertThat(r.failed()).isEqualTo(5);
      assertThat(r.failureSamples())
          .hasSize(5)
          .allSatisfy(s -> assertThat(s).startsWith("GET /x: "));
    }
  }
}
