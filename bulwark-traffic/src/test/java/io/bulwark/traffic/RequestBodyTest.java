package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.ProblemDocument;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway gathers request bodies itself: whole, in order, and never past the limit. */
class RequestBodyTest {
  private TestBackend backend;
  private Gateway gateway;

  @BeforeEach
  void start() {
    backend = TestBackend.start("api-1");
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .maxBodyBytes(4096)
                .pool(PoolConfig.builder("api").noHealthCheck().target(backend.target()).build())
                .build());
  }

  @AfterEach
  void stop() {
    gateway.close(Duration.ofSeconds(2));
    backend.close();
  }

  private HttpResponse<String> post(HttpRequest.BodyPublisher body) {
    return Http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/echo"))
            .timeout(Duration.ofSeconds(20))
            .POST(body)
            .build());
  }

  @Test
  void forwardsAChunkedRequestBodyWhole() {
    String text = "0123456789".repeat(400);
    // An input stream of unknown length goes out chunked.
    HttpResponse<String> response =
        post(
            HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(text);
  }

  @Test
  void refusesADeclaredBodyOverTheLimitWith413AndClosesTheConnection() throws Exception {
    try (RawConnection connection = new RawConnection(gateway.port())) {
      connection.sendRaw(
          "POST /echo HTTP/1.1\r\nHost: gateway\r\nContent-Length: 5000\r\n\r\n"
              + "x".repeat(5000));
      RawConnection.Answer answer = connection.read();

      assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
      assertThat(answer.headers()).containsEntry("content-type", ProblemDocument.CONTENT_TYPE);
      assertThat(answer.keepsConnection()).isFalse();
      JsonNode problem = Json.mapper().readTree(answer.body());
      assertThat(problem.path("status").asInt()).isEqualTo(413);
      assertThat(problem.path("detail").asText()).contains("5000 bytes", "4096");
    }
    assertThat(backend.requests()).isZero();
  }

  @Test
  void refusesAChunkedBodyThatGrowsOverTheLimit() {
    HttpResponse<String> response =
        post(
            HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(new byte[6000])));

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(backend.requests()).isZero();
  }

  @Test
  void answersPipelinedRequestsInTheOrderTheyWereSent() {
    try (RawConnection connection = new RawConnection(gateway.port())) {
      connection.sendRaw(
          "POST /echo HTTP/1.1\r\nHost: gateway\r\nContent-Length: 5\r\n\r\nfirst"
              + "POST /echo HTTP/1.1\r\nHost: gateway\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3\r\nsec\r\n3\r\nond\r\n0\r\n\r\n"
              + "GET /other HTTP/1.1\r\nHost: gateway\r\n\r\n");

      assertThat(connection.read().body()).isEqualTo("first");
      assertThat(connection.read().body()).isEqualTo("second");
      assertThat(connection.read().body()).isEqualTo("api-1");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
