package io.bulwark.fleet.instance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bulwark.kernel.CorrelationId;
import io.bulwark.kernel.ProblemDocument;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP service that plays one instance of a service in a fleet: plain JDK HTTP server,
 * starts in a fraction of a second. Its answers are hand-written JSON; only an error loads the
 * kernel's {@link ProblemDocument}, so the problem members match every other Bulwark service (the
 * correlation id is the {@code X-Request-Id} the gateway forwards).
 *
 * <pre>
 * GET  /health/live          200 {"status":"UP"}
 * GET  /health/ready, /health 200 {"status":"UP"}; 503 once stopping
 * GET  /api/v1/hello          who answered: instance, zone, region, service, version
 * GET  /api/v1/items/{id}     an item computed from its id, after the simulated work
 * PUT  /api/v1/items/{id}     stores the body under the id (idempotent), echoes it
 * POST /api/v1/orders/{id}    records order {id} in the database (201 once committed; 503 when
 *                             the database does not take it or none is configured)
 * GET  /work?ms=N             sleeps N ms (at most 5000), then answers like hello
 * </pre>
 *
 * Every answer carries {@code X-Instance-Id}, {@code X-Zone}, {@code X-Region}, {@code X-Service}
 * and {@code X-Instance-Version}. Options: {@code --port N} (0 picks one; the bound port is printed
 * as {@code listening on N}), {@code --id}, {@code --zone}, {@code --region}, {@code --service},
 * {@code --version}, {@code --work-ms N} (simulated work per API request, default 1), {@code
 * --watch-stdin} (exit when standard input closes, so the instance never outlives the process that
 * started it). Orders go to the pgjdbc URL in {@code $BULWARK_DATABASE_URL} ({@link
 * #DATABASE_URL_ENV}; a multi-host URL with {@code targetServerType=primary} follows a failover),
 * one row per request in {@code bulwark_orders(id, region, instance, created_at)}, created when
 * missing; no primary key, so a request carried out twice shows as a duplicate row. SIGTERM stops
 * accepting, answers readiness with 503 and lets requests in flight finish (up to 2 s).
 */
public final class InstanceMain {

  /** The environment variable holding the JDBC URL orders are written to. */
  public static final String DATABASE_URL_ENV = "BULWARK_DATABASE_URL";

  /** The table orders are written to. */
  public static final String ORDERS_TABLE = "bulwark_orders";

  private final String id;
  private final String zone;
  private final String region;
  private final String service;
  private final String version;
  private final long workMs;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, String> items = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();
  private final String databaseUrl = System.getenv(DATABASE_URL_ENV);
  private volatile boolean ready;

  private InstanceMain(Map<String, String> options) throws IOException {
    this.id = options.getOrDefault("id", "instance-" + ProcessHandle.current().pid());
    this.zone = options.getOrDefault("zone", "local");
    this.region = options.getOrDefault("region", "local");
    this.service = options.getOrDefault("service", "app");
    this.version = options.getOrDefault("version", "1");
    this.workMs = Long.parseLong(options.getOrDefault("work-ms", "1"));
    int port = Integer.parseInt(options.getOrDefault("port", "0"));
    String host = options.getOrDefault("host", "127.0.0.1");
    this.server = HttpServer.create(new InetSocketAddress(host, port), 1024);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Starts the instance; see the class comment for the options. */
  public static void main(String[] args) throws IOException {
    Map<String, String> options = parse(args);
    InstanceMain instance = new InstanceMain(options);
    instance.start(options.containsKey("watch-stdin"));
  }

  private void start(boolean watchStdin) {
    server.start();
    ready = true;
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "instance-stop"));
    PrintStream out = System.out;
    out.println("listening on " + server.getAddress().getPort());
    out.flush();
    if (watchStdin) {
      Thread watcher =
          new Thread(
              () -> {
                try (InputStream in = System.in) {
                  while (in.read() >= 0) {
                    // Nothing is sent on stdin; reading only notices when it closes.
                  }
                } catch (IOException e) {
                  // A broken pipe means the same as end of input: the parent is gone.
                }
                System.exit(0);
              },
              "stdin-watch");
      watcher.setDaemon(true);
      watcher.start();
    }
  }

  private void stop() {
    ready = false;
    server.stop(2);
    executor.shutdown();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.incrementAndGet();
      URI uri = exchange.getRequestURI();
      String path = uri.getPath();
      String method = exchange.getRequestMethod();
      var headers = exchange.getResponseHeaders();
      headers.set("X-Instance-Id", id);
      headers.set("X-Zone", zone);
      headers.set("X-Region", region);
      headers.set("X-Service", service);
      headers.set("X-Instance-Version", version);
      byte[] body = exchange.getRequestBody().readAllBytes();
      switch (path) {
        case "/health/live" -> send(exchange, 200, "{\"status\":\"UP\"}");
        case "/health/ready", "/health" ->
            send(
                exchange,
                ready ? 200 : 503,
                ready ? "{\"status\":\"UP\"}" : "{\"status\":\"STOPPING\"}");
        case "/api/v1/hello" -> {
          work(workMs);
          send(exchange, 200, who());
        }
        case "/work" -> {
          work(Math.min(5000, queryLong(uri, "ms", workMs)));
          send(exchange, 200, who());
        }
        default -> {
          if (path.startsWith("/api/v1/items/") && path.length() > "/api/v1/items/".length()) {
            item(exchange, method, path.substring("/api/v1/items/".length()), body);
          } else if (path.startsWith("/api/v1/orders/")
              && path.length() > "/api/v1/orders/".length()) {
            order(exchange, method, path.substring("/api/v1/orders/".length()));
          } else {
            problem(exchange, 404, "not-found", "Not found", "no route " + path);
          }
        }
      }
    }
  }

  private void item(HttpExchange exchange, String method, String itemId, byte[] body)
      throws IOException {
    work(workMs);
    switch (method) {
      case "GET", "HEAD" -> {
        String stored = items.get(itemId);
        send(
            exchange,
            200,
            stored != null
                ? stored
                : "{\"id\":\""
                    + escape(itemId)
                    + "\",\"name\":\"item "
                    + escape(itemId)
                    + "\",\"price\":"
                    + (Math.floorMod(itemId.hashCode(), 10_000) / 100.0)
                    + ",\"servedBy\":\""
                    + escape(id)
                    + "\"}");
      }
      case "PUT" -> {
        String text = new String(body, StandardCharsets.UTF_8);
        items.put(itemId, text);
        send(exchange, 200, text);
      }
      default -> {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD, PUT");
        problem(
            exchange,
            405,
            "method-not-allowed",
            "Method not allowed",
            method + " is not allowed; use GET or PUT");
      }
    }
  }

  private void order(HttpExchange exchange, String method, String orderId) throws IOException {
    if (!method.equals("POST")) {
      exchange.getResponseHeaders().set("Allow", "POST");
      problem(
          exchange,
          405,
          "method-not-allowed",
          "Method not allowed",
          method + " is not allowed; use POST");
      return;
    }
    if (databaseUrl == null || databaseUrl.isBlank()) {
      problem(
          exchange,
          503,
          "no-database",
          "No database",
          "this instance has no database ($" + DATABASE_URL_ENV + " is not set)");
      return;
    }
    try {
      insertOrder(orderId);
    } catch (SQLException e) {
      problem(
          exchange,
          503,
          "database-unavailable",
          "Database unavailable",
          "order " + orderId + " was not recorded: " + e.getMessage());
      return;
    }
    send(
        exchange,
        201,
        "{\"id\":\""
            + escape(orderId)
            + "\",\"region\":\""
            + escape(region)
            + "\",\"instance\":\""
            + escape(id)
            + "\"}");
  }

  private void insertOrder(String orderId) throws SQLException {
    String insert = "insert into " + ORDERS_TABLE + " (id, region, instance) values (?, ?, ?)";
    try (Connection c = DriverManager.getConnection(databaseUrl)) {
      try (PreparedStatement s = c.prepareStatement(insert)) {
        bind(s, orderId);
        s.executeUpdate();
      } catch (SQLException e) {
        if (!"42P01".equals(e.getSQLState())) { // undefined_table: the first order creates it
          throw e;
        }
        try (Statement ddl = c.createStatement()) {
          ddl.execute(
              "create table if not exists "
                  + ORDERS_TABLE
                  + " (id text not null, region text not null, instance text not null,"
                  + " created_at timestamptz not null default clock_timestamp())");
        }
        try (PreparedStatement s = c.prepareStatement(insert)) {
          bind(s, orderId);
          s.executeUpdate();
        }
      }
    }
  }

  private void bind(PreparedStatement s, String orderId) throws SQLException {
    s.setString(1, orderId);
    s.setString(2, region);
    s.setString(3, id);
  }

  private String who() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("instance", id);
    fields.put("zone", zone);
    fields.put("region", region);
    fields.put("service", service);
    fields.put("version", version);
    StringBuilder json = new StringBuilder("{");
    fields.forEach(
        (k, v) -> {
          if (json.length() > 1) {
            json.append(',');
          }
          json.append('"').append(k).append("\":\"").append(escape(v.toString())).append('"');
        });
    json.append(",\"requests\":").append(requests.get()).append('}');
    return json.toString();
  }

  private static void work(long ms) {
    if (ms <= 0) {
      return;
    }
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long queryLong(URI uri, String name, long fallback) {
    String query = uri.getRawQuery();
    if (query == null) {
      return fallback;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        try {
          return Math.max(0, Long.parseLong(pair.substring(eq + 1)));
        } catch (NumberFormatException e) {
          return fallback;
        }
      }
    }
    return fallback;
  }

  private static void problem(
      HttpExchange exchange, int status, String type, String title, String detail)
      throws IOException {
    String correlationId =
        CorrelationId.accept(exchange.getRequestHeaders().getFirst(CorrelationId.HEADER));
    ProblemDocument problem =
        new ProblemDocument(
            status,
            type,
            title,
            detail,
            exchange.getRequestURI().getPath(),
            correlationId,
            Map.of());
    exchange.getResponseHeaders().set("Content-Type", ProblemDocument.CONTENT_TYPE);
    exchange.getResponseHeaders().set(CorrelationId.HEADER, correlationId);
    write(exchange, status, problem.toBytes());
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    write(exchange, status, json);
  }

  private static void write(HttpExchange exchange, int status, String text) throws IOException {
    write(exchange, status, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void write(HttpExchange exchange, int status, byte[] bytes) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      String key = a.substring(2);
      if (key.equals("watch-stdin")) {
        options.put(key, "true");
      } else if (i + 1 < args.length) {
        options.put(key, args[++i]);
      } else {
        throw new IllegalArgumentException(a + " needs a value");
      }
    }
    return options;
  }
}
