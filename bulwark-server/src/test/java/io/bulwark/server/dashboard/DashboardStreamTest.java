package io.bulwark.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.Meters;
import io.bulwark.server.MetricsAccess;
import io.bulwark.server.http.HttpApi;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event stream over real HTTP: access like /metrics, a bound on clients, closing on stop. */
@Timeout(30)
class DashboardStreamTest {

  static final String TOKEN = "dashboard-token-0123456789";

  PrometheusMeterRegistry registry =
      Meters.conventions(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  Dashboard dashboard;
  Javalin app;
  HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    dashboard =
        new Dashboard(
            registry,
            new MetricsAccess(List.of(), Optional.of(TOKEN)),
            0.999,
            "zone-a",
            Duration.ofMillis(100),
            2);
    app =
        HttpApi.create(registry, () -> true, Duration.ofSeconds(30), access(), List.of(dashboard))
            .start("127.0.0.1", 0);
  }

  private static MetricsAccess access() {
    return new MetricsAccess(List.of(), Optional.of(TOKEN));
  }

  @AfterEach
  void stop() {
    dashboard.close();
    app.stop();
    http.shutdownNow(); // an SSE body still being read would make close() wait for it
  }

  @Test
  void thePageAndScriptArePublicAndTheStreamIsGuardedLikeMetrics() throws Exception {
    HttpResponse<String> page = get("/dashboard", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.body()).contains("<script src=\"/dashboard/dashboard.js\">");
    HttpResponse<String> script = get("/dashboard/dashboard.js", null);
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.body()).contains("new EventSource(");

    HttpResponse<String> refused = get(Dashboard.EVENTS, "text/event-stream");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(refused.body()).doesNotContain("Exception").doesNotContain("at io.");

    HttpResponse<String> notAStream = get(Dashboard.EVENTS + "?token=" + TOKEN, null);
    assertThat(notAStream.statusCode()).isEqualTo(406);
  }

  @Test
  void sendsFiguresEveryTickAndRefusesAClientBeyondTheBoundWith503() throws Exception {
    registry.counter(DashboardMeter.PLACED).increment(4);
    HttpResponse<Stream<String>> first = open();
    HttpResponse<Stream<String>> second = open();
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    Iterator<String> lines = first.body().iterator();
    JsonNode a = nextFigures(lines); // the latest tick's figures, at once
    for (int i = 0; i < 20 && a.get("ordersPlaced").asLong() != 4; i++) {
      a = nextFigures(lines);
    }
    JsonNode b = nextFigures(lines);
    assertThat(a.get("ordersPlaced").asLong()).isEqualTo(4);
    assertThat(a.get("instancesByZone").get("zone-a").asInt()).isEqualTo(1);
    assertThat(b.get("at").asText()).isNotEqualTo(a.get("at").asText());

    HttpResponse<String> third = get(Dashboard.EVENTS + "?token=" + TOKEN, "text/event-stream");
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(Json.parse(third.body()).get("detail").asText()).contains("2 clients");
    assertThat(third.body()).doesNotContain("Exception");

    second.body().close(); // the client goes away: its slot is free once a write fails
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                get(
                        Dashboard.EVENTS + "?token=" + TOKEN,
                        "text/event-stream",
                        Duration.ofMillis(500))
                    != 503);
  }

  @Test
  void closingEndsEveryOpenStream() throws Exception {
    HttpResponse<Stream<String>> stream = open();
    Iterator<String> lines = stream.body().iterator();
    nextFigures(lines);
    assertThat(dashboard.clients()).isEqualTo(1);
    long started = System.nanoTime();
    dashboard.close();
    while (lines.hasNext()) { // ends when the server closes the stream
      lines.next();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(dashboard.clients()).isZero();
    assertThat(get(Dashboard.EVENTS + "?token=" + TOKEN, "text/event-stream").statusCode())
        .isEqualTo(503);
  }

  private HttpResponse<Stream<String>> open() throws Exception {
    return http.sendAsync(
            request(Dashboard.EVENTS + "?token=" + TOKEN, "text/event-stream").build(),
            HttpResponse.BodyHandlers.ofLines())
        .get(10, TimeUnit.SECONDS);
  }

  private static JsonNode nextFigures(Iterator<String> lines) {
    boolean figures = false;
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.equals("event: figures")) {
        figures = true;
      } else if (figures && line.startsWith("data: ")) {
        return Json.parse(line.substring("data: ".length()));
      }
    }
    throw new AssertionError("the stream ended before a figures event");
  }

  private HttpRequest.Builder request(String path, String accept) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .timeout(Duration.ofSeconds(10));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return b;
  }

  private HttpResponse<String> get(String path, String accept) throws Exception {
    return http.send(request(path, accept).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status of a GET, or 0 when no headers came within {@code wait}; the body is dropped. */
  private int get(String path, String accept, Duration wait) throws Exception {
    var answer =
        http.sendAsync(request(path, accept).build(), HttpResponse.BodyHandlers.discarding());
    try {
      return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS).statusCode();
    } catch (java.util.concurrent.TimeoutException e) {
      answer.cancel(true);
      return 0;
    }
  }
}
