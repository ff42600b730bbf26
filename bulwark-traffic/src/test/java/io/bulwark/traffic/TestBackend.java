package io.bulwark.traffic;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP backend on 127.0.0.1 (the JDK's server): answers its id as the body, echoes the
 * request id it saw, serves {@code /health} with a settable status, blocks {@code /slow} until
 * released, answers {@code /bytes/N} with N bytes and {@code /chunked/N} with N chunked bytes, and
 * {@code /echo} with the request body it received; {@code ?cache-control=V} adds that header.
 */
final class TestBackend implements AutoCloseable {
  final String id;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger slowStarted = new AtomicInteger();
  private final CountDownLatch slowGate = new CountDownLatch(1);
  private volatile int healthStatus = 200;
  private volatile int status = 200;
  private volatile String lastRequestId;

  private TestBackend(String id) throws IOException {
    this.id = id;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static TestBackend start(String id) {
    try {
      return new TestBackend(id);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start backend " + id, e);
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  TargetConfig target() {
    return TargetConfig.of(id, "127.0.0.1", port());
  }

  int requests() {
    return requests.get();
  }

  int slowStarted() {
    return slowStarted.get();
  }

  String lastRequestId() {
    return lastRequestId;
  }

  void healthStatus(int status) {
    this.healthStatus = status;
  }

  void status(int status) {
    this.status = status;
  }

  void releaseSlow() {
    slowGate.countDown();
  }

  /** Stops at once: the listener closes and open connections are dropped. */
  void stopAbruptly() {
    server.stop(0);
  }

  @Override
  public void close() {
    slowGate.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream in = exchange.getRequestBody()) {
      byte[] received = in.readAllBytes();
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/echo")) {
        requests.incrementAndGet();
        reply(exchange, 200, new String(received, StandardCharsets.UTF_8));
        return;
      }
      if (path.equals("/health")) {
        reply(exchange, healthStatus, "ok");
        return;
      }
      requests.incrementAndGet();
      if (path.startsWith("/chunked/")) {
        int n = Integer.parseInt(path.substring("/chunked/".length()));
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
          for (int i = 0; i < n; i += 1000) {
            out.write("y".repeat(Math.min(1000, n - i)).getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
        }
        return;
      }
      if (path.startsWith("/bytes/")) {
        reply(exchange, 200, "x".repeat(Integer.parseInt(path.substring("/bytes/".length()))));
        return;
      }
      lastRequestId = exchange.getRequestHeaders().getFirst("x-request-id");
      if (path.startsWith("/slow")) {
        slowStarted.incrementAndGet();
        try {
          slowGate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      exchange.getResponseHeaders().set("x-backend", id);
      String query = exchange.getRequestURI().getQuery();
      if (query != null && query.startsWith("cache-control=")) {
        exchange
            .getResponseHeaders()
            .set("cache-control", query.substring("cache-control=".length()));
      }
      String seen = lastRequestId;
      if (seen != null) {
        exchange.getResponseHeaders().set("x-seen-request-id", seen);
      }
      reply(exchange, status, id);
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
