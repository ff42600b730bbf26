package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.ProblemDocument;
import io.bulwark.kernel.ProblemException;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Javalin renderer over a real socket: the members every adapter sends, in UTF-8. */
class ProblemRendererTest {

  static final class Refused extends ProblemException {
    Refused(String detail, Throwable cause) {
      super(409, "stock-refused", "Stock refused", detail, stockExtensions(), cause);
    }

    static Map<String, Object> stockExtensions() {
      Map<String, Object> ext = new LinkedHashMap<>();
      ext.put("sku", "A-1");
      ext.put("available", 2);
      return ext;
    }
  }

  static final class Busy extends ProblemException {
    Busy() {
      super(503, "busy", "Busy", "try later", Map.of("retryAfterSeconds", 7), null);
    }
  }

  record Order(String sku, int quantity) {}

  static final HttpClient http = HttpClient.newHttpClient();
  static final AtomicReference<BadRequest> lastBadRequest = new AtomicReference<>();
  static Javalin app;

  @BeforeAll
  static void start() {
    app = Javalin.create(c -> c.showJavalinBanner = false);
    app.before(RequestIds::assign);
    app.after(ctx -> RequestIds.clear());
    app.exception(Exception.class, ProblemRenderer::render);
    app.get(
        "/refused",
        ctx -> {
          throw new Refused("only 2 left of Grüße Ｂ", new IllegalStateException("low"));
        });
    app.get(
        "/busy",
        ctx -> {
          throw new Busy();
        });
    app.get(
        "/boom",
        ctx -> {
          throw new IllegalStateException("secret internal detail");
        });
    app.post(
        "/orders",
        ctx -> {
          try {
            ctx.json(JsonBody.read(ctx, Order.class));
          } catch (BadRequest e) {
            lastBadRequest.set(e);
            throw e;
          }
        });
    app.start("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    app.stop();
  }

  static HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
  }

  static JsonNode utf8Json(HttpResponse<byte[]> r) {
    return Json.parse(new String(r.body(), StandardCharsets.UTF_8));
  }

  @Test
  void sendsTheProblemsMembersAsTheKernelDocumentHasThemInUtf8() throws Exception {
    HttpResponse<byte[]> r = send(request("/refused").header("X-Request-Id", "req-42"));

    ProblemDocument expected =
        ProblemDocument.of(new Refused("only 2 left of Grüße Ｂ", null), "/refused", "req-42");
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(ProblemDocument.CONTENT_TYPE);
    assertThat(r.headers().firstValue("X-Request-Id")).hasValue("req-42");
    assertThat(utf8Json(r)).isEqualTo(Json.parse(expected.toJson()));
    assertThat(utf8Json(r).get("detail").asText()).isEqualTo("only 2 left of Grüße Ｂ");
  }

  @Test
  void givesARequestWithoutASaneIdANewOneAndUsesItInTheBody() throws Exception {
    HttpResponse<byte[]> r = send(request("/refused").header("X-Request-Id", "bad id"));

    String id = r.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(id).isNotEqualTo("bad id");
    assertThat(utf8Json(r).get("correlationId").asText()).isEqualTo(id);
  }

  @Test
  void setsRetryAfterFromTheProblem() throws Exception {
    HttpResponse<byte[]> r = send(request("/busy"));

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("7");
  }

  @Test
  void answersAnyOtherFailureWithAnInternalErrorThatRevealsNothing() throws Exception {
    HttpResponse<byte[]> r = send(request("/boom"));

    JsonNode body = utf8Json(r);
    String id = r.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(body).isEqualTo(Json.parse(ProblemDocument.internalError("/boom", id).toJson()));
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("secret");
  }

  @Test
  void aBadBodyKeepsTheParsersErrorAsItsCause() throws Exception {
    HttpResponse<byte[]> r =
        send(
            request("/orders")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"A\",\"quantity\":\"x\"}")));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(utf8Json(r).get("field").asText()).isEqualTo("$.quantity");
    assertThat(lastBadRequest.get().getCause())
        .isInstanceOf(com.fasterxml.jackson.databind.exc.InvalidFormatException.class);

    send(request("/orders").POST(HttpRequest.BodyPublishers.ofString("{\"sku\":")));
    assertThat(lastBadRequest.get().getMessage()).startsWith("malformed JSON at line 1");
    assertThat(lastBadRequest.get().getCause())
        .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
  }
}
