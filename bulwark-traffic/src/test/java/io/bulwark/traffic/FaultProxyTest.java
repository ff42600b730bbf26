package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {
  private final TestBackend backend = TestBackend.start("db-1");
  private final FaultProxy link = FaultProxy.start(0, "127.0.0.1", backend.port());

  @AfterEach
  void stop() {
    link.close();
    backend.close();
  }

  private static HttpResponse<String> get(int port, String path, Duration timeout)
      throws IOException, InterruptedException {
    // A fresh client per call: no pooled connection hides what the proxy does to new ones.
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      return client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(timeout)
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  private static long millisOf(ThrowingCall call) throws Exception {
    long start = System.nanoTime();
    call.run();
    return (System.nanoTime() - start) / 1_000_000;
  }

  interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void passesTrafficThroughUnchanged() throws Exception {
    HttpResponse<String> r = get(link.port(), "/bytes/100000", Duration.ofSeconds(5));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(100_000);
  }

  @Test
  void addsAtLeastTheConfiguredLatencyUntilRemoved() throws Exception {
    link.add(Fault.Latency.of(Duration.ofMillis(250), Duration.ofMillis(20)));

    long slow = millisOf(() -> get(link.port(), "/", Duration.ofSeconds(5)));
    assertThat(slow).isGreaterThanOrEqualTo(230);

    link.remove(Fault.Latency.class);
    long fast = millisOf(() -> get(link.port(), "/", Duration.ofSeconds(5)));
    assertThat(fast).isLessThan(200);
    assertThat(link.faults()).isEmpty();
  }

  @Test
  void delaysRequestsTooWhenAskedForBothDirections() throws Exception {
    link.add(new Fault.Latency(Duration.ofMillis(150), Duration.ZERO, Fault.Direction.BOTH));

    assertThat(millisOf(() -> get(link.port(), "/", Duration.ofSeconds(5))))
        .isGreaterThanOrEqualTo(300);
  }

  @Test
  void limitsBandwidth() throws Exception {
    link.add(Fault.Bandwidth.of(50_000));

    long millis =
        millisOf(
            () ->
                assertThat(get(link.port(), "/bytes/20000", Duration.ofSeconds(5)).body())
                    .hasSize(20_000));

    assertThat(millis).isGreaterThanOrEqualTo(350);
  }

  @Test
  void resetsOpenAndNewConnections() throws Exception {
    try (Socket open = new Socket("127.0.0.1", link.port())) {
      await().until(() -> link.connections() == 1);
      link.add(Fault.ResetPeer.now());
      assertThat(readOrFail(open)).isEqualTo(-1);
    }
    assertThatThrownBy(() -> get(link.port(), "/", Duration.ofSeconds(5)))
        .isInstanceOf(IOException.class);

    link.remove(Fault.ResetPeer.class);
    assertThat(get(link.port(), "/", Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
  }

  @Test
  void refusesConnectionsWhileDownAndComesBackOnTheSamePort() throws Exception {
    int port = link.port();
    try (Socket open = new Socket("127.0.0.1", port)) {
      await().until(() -> link.connections() == 1);
      link.add(new Fault.Down());
      assertThat(readOrFail(open)).isEqualTo(-1);
    }
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
        .isInstanceOf(ConnectException.class);

    link.remove(Fault.Down.class);
    assertThat(link.port()).isEqualTo(port);
    assertThat(get(port, "/", Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
  }

  @Test
  void holdsDataWithoutAnsweringDuringATimeoutFault() throws Exception {
    link.add(Fault.Timeout.hang());

    assertThatThrownBy(() -> get(link.port(), "/", Duration.ofMillis(500)))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(backend.requests()).isZero();

    link.clear();
    assertThat(get(link.port(), "/", Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
  }

  @Test
  void closesHeldConnectionsAfterTheTimeoutPeriod() throws Exception {
    link.add(new Fault.Timeout(Duration.ofMillis(200)));
    try (Socket socket = new Socket("127.0.0.1", link.port())) {
      socket
          .getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      long millis = millisOf(() -> assertThat(readOrFail(socket)).isEqualTo(-1));
      assertThat(millis).isGreaterThanOrEqualTo(150);
    }
  }

  /** Sends a request and reads one byte; -1 for end of stream or a reset. */
  private static int readOrFail(Socket socket) throws IOException {
    socket.setSoTimeout(5000);
    OutputStream out = socket.getOutputStream();
    InputStream in = socket.getInputStream();
    try {
      out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      int first = in.read();
      while (first != -1) {
        first = in.read();
      }
      return -1;
    } catch (java.net.SocketException reset) {
      return -1;
    }
  }
}
