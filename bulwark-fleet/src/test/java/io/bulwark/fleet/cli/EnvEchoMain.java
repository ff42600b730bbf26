package io.bulwark.fleet.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An instance for {@code up --exec}: serves {@code /health/ready} and, at {@code /env/NAME}, its
 * environment variable NAME, on {@code $BULWARK_PORT}, until its parent process is gone.
 */
public final class EnvEchoMain {
  private EnvEchoMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = Integer.parseInt(Objects.requireNonNull(System.getenv("BULWARK_PORT")));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String value =
                path.startsWith("/env/") ? System.getenv(path.substring("/env/".length())) : "ok";
            byte[] body = (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(value == null ? 404 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
        });
    server.start();
    ProcessHandle parent = ProcessHandle.current().parent().orElseThrow();
    parent.onExit().join();
    server.stop(0);
  }
}
