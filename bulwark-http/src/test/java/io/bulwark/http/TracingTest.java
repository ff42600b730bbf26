package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.javalin.Javalin;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * W3C trace context over a real socket: a request continues the caller's trace or starts one,
 * answers with its span's traceparent, logs with the ids, and its span reaches an OTLP/HTTP
 * endpoint.
 */
class TracingTest {

  static final HttpClient http = HttpClient.newHttpClient();
  static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CALLER_SPAN = "00f067aa0ba902b7";

  private Javalin app;
  private HttpServer collector;
  private Tracing tracing;

  @AfterEach
  void stop() {
    if (app != null) {
      app.stop();
    }
    if (tracing != null) {
      tracing.close();
    }
    if (collector != null) {
      collector.stop(0);
    }
  }

  private int serve(Tracing t, AtomicReference<String> loggedTraceId) {
    tracing = t;
    app = Javalin.create(c -> c.showJavalinBanner = false);
    app.before(t::start);
    app.after(ctx -> t.end(ctx, ctx.endpointHandlerPath(), ctx.statusCode()));
    app.get(
        "/orders/{id}",
        ctx -> {
          loggedTraceId.set(
              MDC.get(Tracing.TRACE_ID)
                  + "/"
                  + io.opentelemetry.api.trace.Span.current().getSpanContext().getTraceId());
          ctx.result("ok");
        });
    app.start("127.0.0.1", 0);
    return app.port();
  }

  private static HttpResponse<String> get(int port, String traceparent) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/7"));
    if (traceparent != null) {
      b.header("traceparent", traceparent);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void continuesTheCallersTraceAndLogsItsIds() throws Exception {
    AtomicReference<String> logged = new AtomicReference<>();
    int port = serve(Tracing.create("test", Optional.empty()), logged);

    HttpResponse<String> r = get(port, "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01");
    String answered = r.headers().firstValue("traceparent").orElseThrow();
    assertThat(answered).matches("00-" + CALLER_TRACE + "-[0-9a-f]{16}-01");
    assertThat(answered).doesNotContain(CALLER_SPAN);
    assertThat(logged.get())
        .as("the logging MDC and the current span inside the handler")
        .isEqualTo(CALLER_TRACE + "/" + CALLER_TRACE);

    HttpResponse<String> fresh = get(port, null);
    String started = fresh.headers().firstValue("traceparent").orElseThrow();
    assertThat(started)
        .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")
        .doesNotContain(CALLER_TRACE);

    HttpResponse<String> garbage = get(port, "not-a-traceparent");
    assertThat(garbage.statusCode()).isEqualTo(200);
    assertThat(garbage.headers().firstValue("traceparent").orElseThrow())
        .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  }

  @Test
  void exportsTheServerSpanOverOtlpHttp() throws Exception {
    List<byte[]> received = new CopyOnWriteArrayList<>();
    List<String> types = new CopyOnWriteArrayList<>();
    collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext(
        "/v1/traces",
        ex -> {
          types.add(ex.getRequestHeaders().getFirst("Content-Type"));
          received.add(ex.getRequestBody().readAllBytes());
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    collector.start();
    String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces";
    int port = serve(Tracing.create("shop", Optional.of(endpoint)), new AtomicReference<>());

    get(port, "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01");
    tracing.close(); // flushes the batch
    tracing = null;

    await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
    assertThat(types).contains("application/x-protobuf");
    byte[] traceId = HexFormat.of().parseHex(CALLER_TRACE);
    String body = new String(received.get(0), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(body)
        .contains(new String(traceId, java.nio.charset.StandardCharsets.ISO_8859_1))
        .contains("GET /orders/{id}")
        .contains("shop");
  }
}
