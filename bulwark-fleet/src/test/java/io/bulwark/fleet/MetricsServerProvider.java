package io.bulwark.fleet;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A provider whose instances are real HTTP servers on 127.0.0.1 serving {@code GET /metrics}: the
 * Prometheus text {@code metrics} gives for the instance's number (0 for the first launched), or a
 * hang when it gives {@link #HANG}, or 500 when it gives {@code null}; 403 without {@code
 * Authorization: Bearer requiredToken} when that is set.
 */
final class MetricsServerProvider implements Provider {
  /** What {@code metrics} returns for an instance that accepts the request and never answers. */
  static final String HANG = "<hang>";

  private final Function<Integer, String> metrics;
  private final List<ServerInstance> launched = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  volatile String requiredToken;

  MetricsServerProvider(Function<Integer, String> metrics) {
    this.metrics = metrics;
  }

  @Override
  public Instance launch(LaunchSpec spec) {
    int n = launched.size();
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/metrics",
        exchange -> {
          try (exchange) {
            String token = requiredToken;
            if (token != null
                && !("Bearer " + token)
                    .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
              exchange.sendResponseHeaders(403, -1);
              return;
            }
            String text = metrics.apply(n);
            if (HANG.equals(text)) {
              closed.await();
              return;
            }
            byte[] body = (text == null ? "boom" : text).getBytes(StandardCharsets.UTF_8);
            exchange
                .getResponseHeaders()
                .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(text == null ? 500 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.start();
    ServerInstance i = new ServerInstance(spec, server);
    launched.add(i);
    return i;
  }

  /** Health probe: an instance is healthy while its server runs. */
  static HealthProbe probe() {
    return i -> CompletableFuture.completedFuture(i.isAlive());
  }

  @Override
  public void close() {
    closed.countDown();
    launched.forEach(ServerInstance::kill);
  }

  static final class ServerInstance implements Instance {
    private final LaunchSpec spec;
    private final HttpServer server;
    private final int port;
    private volatile boolean alive = true;

    ServerInstance(LaunchSpec spec, HttpServer server) {
      this.spec = spec;
      this.server = server;
      this.port = server.getAddress().getPort();
    }

    @Override
    public String id() {
      return spec.instanceId();
    }

    @Override
    public Zone zone() {
      return spec.zone();
    }

    @Override
    public String host() {
      return "127.0.0.1";
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public OptionalLong pid() {
      return OptionalLong.empty();
    }

    @Override
    public boolean isAlive() {
      return alive;
    }

    @Override
    public CompletableFuture<Void> stop(Duration grace) {
      kill();
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void kill() {
      if (alive) {
        alive = false;
        server.stop(0);
      }
    }
  }
}
