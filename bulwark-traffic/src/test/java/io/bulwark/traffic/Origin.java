package io.bulwark.traffic;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP origin (the JDK's server on 127.0.0.1) serving resources with the caching headers a
 * test sets: {@code Cache-Control}, {@code ETag}, {@code Vary} and any other. It answers {@code
 * If-None-Match} with 304 when the tag matches, as an origin must, and counts full answers and 304s
 * per path (or path and query, when a resource is served under one) so a test sees exactly what
 * reached it. Unknown paths answer 404; any method other than GET or HEAD answers 204 and is
 * counted as a write.
 */
final class Origin implements AutoCloseable {

  /** What a path serves. */
  record Resource(String body, Map<String, String> headers) {
    String etag() {
      return headers.get("ETag");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Resource> resources = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> full = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> notModified = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();

  private Origin() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static Origin start() {
    try {
      return new Origin();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the origin", e);
    }
  }

  TargetConfig target() {
    return TargetConfig.of("origin-1", "127.0.0.1", server.getAddress().getPort());
  }

  /** Serves {@code body} at {@code path} with headers given as name, value, name, value… */
  Origin serve(String path, String body, String... headers) {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      map.put(headers[i], headers[i + 1]);
    }
    resources.put(path, new Resource(body, map));
    return this;
  }

  int full(String path) {
    return full.getOrDefault(path, new AtomicInteger()).get();
  }

  int notModified(String path) {
    return notModified.getOrDefault(path, new AtomicInteger()).get();
  }

  int writes(String path) {
    return writes.getOrDefault(path, new AtomicInteger()).get();
  }

  void stop() {
    server.stop(0);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream in = exchange.getRequestBody()) {
      in.readAllBytes();
      String query = exchange.getRequestURI().getRawQuery();
      String path = exchange.getRequestURI().getPath();
      if (query != null && resources.containsKey(path + "?" + query)) {
        path = path + "?" + query;
      }
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        writes.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        exchange.sendResponseHeaders(204, -1);
        return;
      }
      Resource resource = resources.get(path);
      if (resource == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      resource.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
      if (ifNoneMatch != null && resource.etag() != null && ifNoneMatch.contains(resource.etag())) {
        notModified.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        exchange.sendResponseHeaders(304, -1);
        return;
      }
      full.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      byte[] bytes = resource.body().getBytes(StandardCharsets.UTF_8);
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
