package io.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProblemDocumentTest {

  private static final class Refused extends ProblemException {
    Refused(String detail, Map<String, Object> extensions, Throwable cause) {
      super(409, "stock-refused", "Stock refused", detail, extensions, cause);
    }
  }

  @Test
  void putsTheStandardMembersFirstInOrderThenTheExtensions() {
    Map<String, Object> ext = new LinkedHashMap<>();
    ext.put("sku", "A-1");
    ext.put("available", 2);
    ProblemDocument doc =
        ProblemDocument.of(new Refused("only 2 left", ext, null), "/api/v1/orders", "req-7");

    assertThat(doc.members().keySet())
        .containsExactly(
            "type", "title", "status", "detail", "instance", "correlationId", "sku", "available");
    assertThat(doc.members())
        .containsEntry("type", "/problems/stock-refused")
        .containsEntry("title", "Stock refused")
        .containsEntry("status", 409)
        .containsEntry("detail", "only 2 left")
        .containsEntry("instance", "/api/v1/orders")
        .containsEntry("correlationId", "req-7");
  }

  @Test
  void anExtensionNeverReplacesAStandardMember() {
    ProblemDocument doc =
        new ProblemDocument(
            400,
            "bad-request",
            "Bad request",
            "nope",
            "/x",
            "id-1",
            Map.of("status", 200, "type", "ok", "correlationId", "forged"));

    JsonNode body = Json.parse(doc.toJson());
    assertThat(body.get("status").asInt()).isEqualTo(400);
    assertThat(body.get("type").asText()).isEqualTo("/problems/bad-request");
    assertThat(body.get("correlationId").asText()).isEqualTo("id-1");
  }

  @Test
  void encodesTheBodyAsUtf8() {
    ProblemDocument doc =
        new ProblemDocument(404, "not-found", "Not found", "no Grüße for Ｂ", "/ü", "c", Map.of());

    byte[] bytes = doc.toBytes();
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("no Grüße for Ｂ");
    assertThat(Json.parse(new String(bytes, StandardCharsets.UTF_8)).get("instance").asText())
        .isEqualTo("/ü");
  }

  @Test
  void keepsANullDetailAsJsonNull() {
    ProblemDocument doc = new ProblemDocument(503, "unavailable", "Down", null, "/", "c", Map.of());

    assertThat(Json.parse(doc.toJson()).get("detail").isNull()).isTrue();
  }

  @Test
  void readsRetryAfterFromItsExtension() {
    ProblemDocument slow =
        new ProblemDocument(
            503, "unavailable", "Down", "later", "/", "c", Map.of("retryAfterSeconds", 3));
    ProblemDocument plain =
        new ProblemDocument(503, "unavailable", "Down", "x", "/", "c", Map.of());

    assertThat(slow.retryAfterSeconds()).hasValue(3);
    assertThat(plain.retryAfterSeconds()).isEmpty();
  }

  @Test
  void anInternalErrorRevealsOnlyTheCorrelationId() {
    ProblemDocument doc = ProblemDocument.internalError("/admin/pools", "abc-1");

    assertThat(doc.status()).isEqualTo(500);
    assertThat(doc.type()).isEqualTo("internal-error");
    assertThat(doc.detail()).contains("abc-1");
    assertThat(doc.extensions()).isEmpty();
  }

  @Test
  void copiesItsExtensions() {
    Map<String, Object> ext = new LinkedHashMap<>(Map.of("a", 1));
    ProblemDocument doc = new ProblemDocument(409, "t", "T", "d", "/", "c", ext);
    ext.put("b", List.of());

    assertThat(doc.extensions()).containsOnlyKeys("a");
  }

  @Test
  void refusesAStatusOutsideHttpsRangeAndMissingMembers() {
    assertThatThrownBy(() -> new ProblemDocument(99, "t", "T", "d", "/", "c", Map.of()))
        .hasMessage("status must be in 100..599 but was 99");
    assertThatThrownBy(() -> new ProblemDocument(400, "t", "T", "d", null, "c", Map.of()))
        .hasMessage("instance");
    assertThatThrownBy(() -> new ProblemDocument(400, "t", "T", "d", "/", null, Map.of()))
        .hasMessage("correlationId");
  }
}
