package io.bulwark.diagnose.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.bulwark.diagnose.Cause;
import io.bulwark.diagnose.Diagnosis;
import io.bulwark.diagnose.Evidence;
import io.bulwark.diagnose.Fault;
import io.bulwark.diagnose.Frequency;
import io.bulwark.diagnose.Risk;
import io.bulwark.diagnose.Severity;
import io.bulwark.diagnose.Solution;
import io.bulwark.diagnose.Symptom;
import io.bulwark.kernel.Json;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Notifications posted over real HTTP to a local webhook that answers as told. */
class WebhookTest {
  final List<String> bodies = new CopyOnWriteArrayList<>();
  final AtomicInteger status = new AtomicInteger(200);
  HttpServer server;

  String webhook() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    server.createContext(
        "/hook",
        exchange -> {
          try (exchange) {
            bodies.add(
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] answer = (status.get() == 200 ? "ok" : "invalid_payload").getBytes();
            exchange.sendResponseHeaders(status.get(), answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(answer);
            }
          }
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  static Diagnosis diagnosis() {
    return new Diagnosis(
        new Symptom(
            "checkout is slow <again>",
            Severity.HIGH,
            Instant.parse("2026-12-06T03:00:00Z"),
            Frequency.CONSTANT,
            List.of("shop")),
        Optional.of(new Cause("shop", Fault.CPU_HOG, 0.93)),
        List.of(new Cause("shop", Fault.CPU_HOG, 0.93)),
        List.of(),
        List.of(
            new Evidence(
                "shop",
                "process_cpu_usage",
                "CPU 0.97 against 0.12 before the onset",
                Optional.of(0.12),
                Optional.of(0.97),
                Optional.of(14.2),
                Optional.empty())),
        List.of(
            new Solution(
                1, "bulwark fleet scale shop --desired 4", Risk.LOW, "scale out the shop")),
        List.of());
  }

  @Test
  void postsTheDiagnosisJsonAsTheCommandPrintsIt() throws Exception {
    int answered = Webhook.of(webhook(), Webhook.Format.PLAIN).post(diagnosis());
    assertThat(answered).isEqualTo(200);
    assertThat(bodies).hasSize(1);
    JsonNode posted = Json.parse(bodies.getFirst());
    assertThat(posted).isEqualTo(Json.parse(Json.write(diagnosis().toJson())));
    assertThat(posted.path("rootCause").path("fault").asText()).isEqualTo("cpu-hog");
  }

  @Test
  void postsASlackMessageWithTheRootCauseAndTheCommand() throws Exception {
    Webhook.of(webhook(), Webhook.Format.SLACK).post(diagnosis());
    JsonNode posted = Json.parse(bodies.getFirst());
    assertThat(posted.fieldNames()).toIterable().containsExactly("text");
    assertThat(posted.get("text").asText())
        .contains("checkout is slow &lt;again&gt;")
        .contains("*Root cause:* cpu-hog on shop (confidence 0.93)")
        .contains("CPU 0.97 against 0.12")
        .contains("`bulwark fleet scale shop --desired 4`");
  }

  @Test
  void retriesAServerErrorAndGivesUpAfterTheLastAttempt() throws Exception {
    status.set(503);
    Webhook hook =
        Webhook.of(webhook(), Webhook.Format.PLAIN).withRetries(3, Duration.ofMillis(10));
    assertThatThrownBy(() -> hook.post(diagnosis()))
        .isInstanceOf(Webhook.Failed.class)
        .hasMessageContaining("answered 503: invalid_payload");
    assertThat(bodies).hasSize(3);
  }

  @Test
  void aRefusalIsNotRetried() throws Exception {
    status.set(400);
    Webhook hook =
        Webhook.of(webhook(), Webhook.Format.SLACK).withRetries(3, Duration.ofMillis(10));
    assertThatThrownBy(() -> hook.post(diagnosis())).hasMessageContaining("answered 400");
    assertThat(bodies).hasSize(1);
  }

  @Test
  void anUnreachableWebhookFailsNamingIt() throws Exception {
    String url = webhook();
    server.stop(0);
    server = null;
    Webhook hook = Webhook.of(url, Webhook.Format.PLAIN).withRetries(2, Duration.ofMillis(10));
    assertThatThrownBy(() -> hook.post(diagnosis()))
        .isInstanceOf(Webhook.Failed.class)
        .hasMessageContaining(url)
        .hasMessageContaining("could not be reached");
  }

  @Test
  void refusesAUrlThatIsNotHttp() {
    assertThatThrownBy(() -> Webhook.of("ftp://example.org/hook", Webhook.Format.PLAIN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--webhook must be an http:// or https:// URL");
    assertThatThrownBy(() -> Webhook.of("not a url", Webhook.Format.PLAIN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--webhook");
  }
}
