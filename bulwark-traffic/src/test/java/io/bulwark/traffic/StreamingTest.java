package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamingTest {
  private final TestBackend backend = TestBackend.start("api-1");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Gateway gateway;
  private ServerSocket broken;

  @AfterEach
  void stop() throws IOException {
    if (gateway != null) {
      gateway.close(Duration.ofSeconds(2));
    }
    backend.close();
    if (broken != null) {
      broken.close();
    }
  }

  private void startGateway(TargetConfig target) {
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .maxBodyBytes(4096)
                .pool(PoolConfig.builder("api").noHealthCheck().target(target).build())
                .build(),
            registry);
  }

  @Test
  void streamsAnAnswerFarLargerThanTheRequestBufferOverHttp11AndHttp2() throws Exception {
    startGateway(backend.target());

    HttpResponse<String> h1 = Http.get(gateway.port(), "/bytes/300000");
    HttpResponse<String> h2;
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
      h2 =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + gateway.port() + "/bytes/300000"))
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    }

    assertThat(h1.statusCode()).isEqualTo(200);
    assertThat(h1.body()).hasSize(300_000);
    assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(h2.body()).hasSize(300_000);
  }

  @Test
  void relaysChunkedAnswersAndKeepsReusingTheUpstreamConnection() {
    startGateway(backend.target());

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response = Http.get(gateway.port(), "/chunked/25000");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("y".repeat(25_000));
    }

    assertThat(
            registry
                .get("bulwark.gateway.upstream.connects")
                .tags("target", "api-1")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void cutsTheClientOffWhenTheUpstreamAnswerBreaksOffMidBody() throws Exception {
    broken = new ServerSocket(0);
    Thread.ofVirtual()
        .start(
            () -> {
              while (!broken.isClosed()) {
                try (Socket s = broken.accept()) {
                  InputStream in = s.getInputStream();
                  byte[] buffer = new byte[8192];
                  in.read(buffer);
                  OutputStream out = s.getOutputStream();
                  out.write(
                      "HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\nonly a few bytes"
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                } catch (IOException e) {
                  return;
                }
              }
            });
    startGateway(TargetConfig.of("broken", "127.0.0.1", broken.getLocalPort()));

    long started = System.nanoTime();
    assertThatThrownBy(() -> Http.get(gateway.port(), "/download"))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }
}
