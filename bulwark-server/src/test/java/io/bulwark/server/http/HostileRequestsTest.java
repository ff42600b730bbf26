package io.bulwark.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.http.HttpModule;
import io.bulwark.http.JsonBody;
import io.bulwark.kernel.Json;
import io.bulwark.server.MetricsAccess;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests an attacker or a broken client sends, over a raw socket so nothing tidies them up on the
 * way: every refusal is problem+json in UTF-8, whether a route or Jetty itself refuses, and no
 * handler sees a NUL.
 */
class HostileRequestsTest {

  record Named(String name) {}

  static final List<String> seen = new CopyOnWriteArrayList<>();
  static Javalin app;

  @BeforeAll
  static void start() {
    HttpModule echo =
        a ->
            a.post(
                    "/api/v1/names",
                    ctx -> {
                      seen.add(JsonBody.read(ctx, Named.class).name());
                      ctx.status(201).json(Map.of("ok", true));
                    })
                .get(
                    "/api/v1/names",
                    ctx -> {
                      seen.add(String.valueOf(ctx.queryParam("q")));
                      ctx.json(Map.of("ok", true));
                    });
    app =
        HttpApi.create(
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> true,
                Duration.ofSeconds(1),
                MetricsAccess.open(),
                List.of(echo))
            .start("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    app.stop();
  }

  record Reply(int status, Map<String, String> headers, byte[] body) {
    String contentType() {
      return headers.getOrDefault("content-type", "");
    }

    JsonNode json() {
      return Json.parse(new String(body, StandardCharsets.UTF_8));
    }
  }

  /** Sends {@code request} as raw bytes and reads the whole reply (the server closes after it). */
  static Reply raw(byte[] request) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), app.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        all.write(buf, 0, n);
        if (complete(all.toByteArray())) {
          break;
        }
      }
      return parse(all.toByteArray());
    }
  }

  static Reply raw(String request) throws IOException {
    return raw(request.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean complete(byte[] bytes) {
    try {
      Reply r = parse(bytes);
      String length = r.headers().get("content-length");
      return length != null && r.body().length >= Integer.parseInt(length.trim());
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  private static Reply parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IllegalStateException("no complete header in " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    Map<String, String> headers = new java.util.HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    byte[] body = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
    return new Reply(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
  }

  static void assertProblem(Reply r, int status) {
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.contentType()).isEqualToIgnoringCase("application/problem+json; charset=utf-8");
    assertThat(r.headers()).containsEntry("x-content-type-options", "nosniff");
    assertThat(r.json().get("status").asInt()).isEqualTo(status);
    assertThat(r.json().get("correlationId").asText()).isNotBlank();
  }

  static String post(String path, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
        + "Content-Length: "
        + body.length
        + "\r\n\r\n"
        + json;
  }

  @Test
  void aNulInAJsonStringIsRefusedNamingTheFieldBeforeTheHandlerRuns() throws Exception {
    Reply r = raw(post("/api/v1/names", "{\"name\":\"admin\\u0000\"}"));
    assertProblem(r, 400);
    assertThat(r.json().get("field").asText()).isEqualTo("$.name");
    assertThat(r.json().get("detail").asText()).contains("U+0000");
    Reply nested = raw(post("/api/v1/names", "{\"name\":\"ok\",\"x\":[{\"\\u0001\":1}]}"));
    assertProblem(nested, 400);
    assertThat(nested.json().get("field").asText()).isEqualTo("$.x[0]");
    Reply surrogate = raw(post("/api/v1/names", "{\"name\":\"\\ud800\"}"));
    assertProblem(surrogate, 400);
    assertThat(surrogate.json().get("detail").asText()).contains("unpaired surrogate");
    assertThat(seen).doesNotContain("admin\u0000");

    byte[] invalid = post("/api/v1/names", "{\"name\":\"ab\"}").getBytes(StandardCharsets.UTF_8);
    invalid[invalid.length - 3] = (byte) 0xff; // in place of the b
    Reply notUtf8 = raw(invalid);
    assertProblem(notUtf8, 400);
    assertThat(notUtf8.json().get("detail").asText()).contains("not valid UTF-8: byte 0xFF");

    Reply fine = raw(post("/api/v1/names", "{\"name\":\"line\\nbreak \\u00fc\"}"));
    assertThat(fine.status()).isEqualTo(201);
    assertThat(seen).contains("line\nbreak ü");
  }

  @Test
  void controlCharactersInAQueryParameterAreRefusedNamingIt() throws Exception {
    Reply r = raw("GET /api/v1/names?q=a%00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertProblem(r, 400);
    assertThat(r.json().get("field").asText()).isEqualTo("q");
    assertThat(seen).doesNotContain("a\u0000b");
  }

  @Test
  void jettysOwnRefusalsAreProblemJsonToo() throws Exception {
    assertProblem(raw("GET /api/%00x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 400);
    assertProblem(
        raw("GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\nConnection: close\r\n\r\n"),
        400);
    assertProblem(
        raw(
            "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "a".repeat(64 * 1024)
                + "\r\nConnection: close\r\n\r\n"),
        431);
  }

  @Test
  void aRequestTricklingInIsCutOffWhenItsHeadersOrBodyTakeTooLong() throws Exception {
    Javalin strict =
        HttpApi.create(
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> true,
                Duration.ofSeconds(1),
                MetricsAccess.open(),
                List.of(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2))
            .start("127.0.0.1", 0);
    try {
      assertThat(trickle(strict.port(), "GET /health/live HTTP/1.1\r\nHost: x\r\n", "X-A: b\r\n"))
          .as("slow headers")
          .isTrue();
      assertThat(
              trickle(
                  strict.port(),
                  "POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
                  "a"))
          .as("slow body")
          .isTrue();
    } finally {
      strict.stop();
    }
  }

  /**
   * Sends {@code start}, then {@code more} every 250 ms for up to 30 s; true when the server closed
   * the connection while the client was still sending.
   */
  private static boolean trickle(int port, String start, String more) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(40_000);
      s.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
      java.util.concurrent.atomic.AtomicBoolean stillSending =
          new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread sender =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < 120; i++) {
                        s.getOutputStream().write(more.getBytes(StandardCharsets.US_ASCII));
                        s.getOutputStream().flush();
                        Thread.sleep(250); // the attacker's pace, not a synchronisation
                      }
                      stillSending.set(false);
                    } catch (IOException | InterruptedException closed) {
                      // the server hung up
                    }
                  });
      try {
        while (s.getInputStream().read() >= 0) {
          // whatever the server says before it closes
        }
      } catch (IOException reset) {
        // closed by the server
      }
      boolean cutOff = stillSending.get();
      sender.interrupt();
      return cutOff;
    }
  }

  @Test
  void problemsAreUtf8AndSaySo() throws Exception {
    Reply r = raw(post("/api/v1/names", "{\"café-Ｂ\":1}"));
    assertProblem(r, 400);
    assertThat(r.json().get("detail").asText()).contains("unknown field \"café-Ｂ\"");
    Reply ok = raw("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.headers()).containsEntry("x-content-type-options", "nosniff");
  }
}
