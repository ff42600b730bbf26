package io.bulwark.fleet.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bulwark.fleet.Instance;
import io.bulwark.fleet.InstanceGroup;
import io.bulwark.kernel.CorrelationId;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.ProblemDocument;
import io.bulwark.kernel.ProblemException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's control API, JSON over HTTP on 127.0.0.1 (what {@code bulwark up} exposes so a
 * running topology can be refreshed, resized and broken on purpose). Errors are RFC 9457 {@code
 * application/problem+json} {@link ProblemDocument}s whose correlation id is the request's {@code
 * X-Request-Id} (or a new one, echoed in that header).
 *
 * <pre>
 * GET  /fleet/groups                    every group: size, instances, refresh
 * GET  /fleet/groups/{name}             one group, with its last 50 events
 * GET  /fleet/groups/{name}/zones       {"group": "shop", "inServiceByZone": {"zone-a": 2}}
 * POST /fleet/groups/{name}/refresh     start a rolling refresh (202)
 * PUT  /fleet/groups/{name}/desired     {"desired": 5}
 * POST /fleet/instances/{id}/kill       SIGKILL one instance (202), to watch it being replaced
 * </pre>
 *
 * <p>{@code …/zones} counts the group's in-service instances by zone name (what an instance gets as
 * {@code BULWARK_ZONE}), for the shop's live dashboard; a zone without any is left out.
 */
public final class FleetApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FleetApi.class);

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Supplier<List<InstanceGroup>> groups;

  private FleetApi(Supplier<List<InstanceGroup>> groups, int port) throws IOException {
    this.groups = groups;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.setExecutor(executor);
    server.createContext("/fleet/", this::handle);
    server.start();
  }

  /**
   * Serves {@code groups} on {@code port} (0 picks a free one).
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static FleetApi start(List<InstanceGroup> groups, int port) {
    List<InstanceGroup> fixed = List.copyOf(groups);
    return start(() -> fixed, port);
  }

  /**
   * Serves the groups {@code groups} answers at each request on {@code port} (0 picks a free one):
   * started before the groups exist, its URL can be handed to the instances they launch (until then
   * every group is unknown, 404).
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static FleetApi start(Supplier<List<InstanceGroup>> groups, int port) {
    Objects.requireNonNull(groups, "groups");
    try {
      return new FleetApi(groups, port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the fleet API to port " + port, e);
    }
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:40123}. */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath().replaceAll("/+$", "");
      String method = exchange.getRequestMethod();
      String[] parts = path.substring(1).split("/");
      String correlationId =
          CorrelationId.accept(exchange.getRequestHeaders().getFirst(CorrelationId.HEADER));
      exchange.getResponseHeaders().set(CorrelationId.HEADER, correlationId);
      try {
        route(exchange, method, parts, path);
      } catch (ApiError e) {
        problem(exchange, ProblemDocument.of(e, path, correlationId));
      } catch (IllegalArgumentException e) {
        problem(
            exchange,
            new ProblemDocument(
                400,
                "invalid-request",
                "Invalid request",
                e.getMessage(),
                path,
                correlationId,
                Map.of()));
      } catch (RuntimeException e) {
        LOG.error("fleet API: {} {} failed (correlationId {})", method, path, correlationId, e);
        problem(exchange, ProblemDocument.internalError(path, correlationId));
      }
    }
  }

  private void route(HttpExchange exchange, String method, String[] parts, String path)
      throws IOException {
    if (parts.length == 2 && parts[1].equals("groups")) {
      allow(method, "GET");
      json(
          exchange,
          200,
          Map.of("groups", groups.get().stream().map(InstanceGroup::status).toList()));
      return;
    }
    if (parts.length >= 3 && parts[1].equals("groups")) {
      InstanceGroup group = group(parts[2]);
      if (parts.length == 3) {
        allow(method, "GET");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("group", group.status());
        var events = group.events();
        body.put("events", events.subList(Math.max(0, events.size() - 50), events.size()));
        json(exchange, 200, body);
        return;
      }
      if (parts.length == 4 && parts[3].equals("zones")) {
        allow(method, "GET");
        Map<String, Integer> byZone = new LinkedHashMap<>();
        group.status().inServiceByZone().forEach((z, n) -> byZone.merge(z.name(), n, Integer::sum));
        json(exchange, 200, Map.of("group", group.name(), "inServiceByZone", byZone));
        return;
      }
      if (parts.length == 4 && parts[3].equals("refresh")) {
        allow(method, "POST");
        json(exchange, 202, group.startRefresh());
        return;
      }
      if (parts.length == 4 && parts[3].equals("desired")) {
        allow(method, "PUT");
        JsonNode body =
            Json.parse(
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        JsonNode desired = body.get("desired");
        if (desired == null || !desired.canConvertToInt() || !desired.isIntegralNumber()) {
          throw new IllegalArgumentException("desired: expected an integer, got " + desired);
        }
        group.setDesired(desired.intValue());
        json(exchange, 200, group.status());
        return;
      }
    }
    if (parts.length == 4 && parts[1].equals("instances") && parts[3].equals("kill")) {
      allow(method, "POST");
      Instance instance =
          groups.get().stream()
              .map(g -> g.instance(parts[2]))
              .flatMap(Optional::stream)
              .findFirst()
              .orElseThrow(
                  () ->
                      new ApiError(
                          404,
                          "unknown-instance",
                          "Instance not found",
                          "no instance " + parts[2]));
      instance.kill();
      json(exchange, 202, Map.of("id", instance.id(), "killed", true));
      return;
    }
    throw new ApiError(404, "not-found", "Not found", "no fleet route " + path);
  }

  private InstanceGroup group(String name) {
    List<InstanceGroup> groups = this.groups.get();
    return groups.stream()
        .filter(g -> g.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new ApiError(
                    404,
                    "unknown-group",
                    "Group not found",
                    "no group "
                        + name
                        + "; groups are "
                        + groups.stream().map(InstanceGroup::name).toList()));
  }

  private static void allow(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw new ApiError(
          405,
          "method-not-allowed",
          "Method not allowed",
          method + " is not allowed; use " + allowed);
    }
  }

  private static void json(HttpExchange exchange, int status, Object value) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    write(exchange, status, Json.write(value));
  }

  private static void problem(HttpExchange exchange, ProblemDocument problem) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", ProblemDocument.CONTENT_TYPE);
    write(exchange, problem.status(), problem.toBytes());
  }

  private static void write(HttpExchange exchange, int status, String text) throws IOException {
    write(exchange, status, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void write(HttpExchange exchange, int status, byte[] bytes) throws IOException {
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops serving. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** A problem of the fleet API itself: no such route, group or instance; a wrong method. */
  private static final class ApiError extends ProblemException {
    ApiError(int status, String type, String title, String detail) {
      super(status, type, title, detail, Map.of(), null);
    }
  }
}
