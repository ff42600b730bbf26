package io.bulwark.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.http.HttpModule;
import io.bulwark.http.OpenApi;
import io.bulwark.http.ProblemRenderer;
import io.bulwark.kernel.Json;
import io.bulwark.server.MetricsAccess;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard: {@code GET /dashboard} (a static page, its script at {@code
 * /dashboard/dashboard.js}) and {@code GET /dashboard/events}, a server-sent event stream with one
 * {@code figures} event per tick carrying {@link DashboardFigures} as JSON.
 *
 * <p>Access: the page and script hold no data and are public; the event stream carries the shop's
 * figures and is guarded like {@code /metrics} ({@link MetricsAccess}: an allowed address range, or
 * the metrics token as {@code Authorization: Bearer} or, because a browser's EventSource cannot set
 * headers, as the {@code token} query parameter; the page passes on a {@code #token=} fragment of
 * its own address). At most {@code maxClients} streams are open at once; one more is answered 503.
 * {@link #close} ends every stream, so a stopping server does not wait on them.
 */
public final class Dashboard implements HttpModule, AutoCloseable {

  /** The event stream's path. */
  public static final String EVENTS = DashboardMeter.EVENTS_PATH;

  /** Streams open at once by default. */
  public static final int MAX_CLIENTS = 32;

  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
  private static final String SLOT = "bulwark.dashboard.slot";
  private static final String EVENT_STREAM = "text/event-stream";
  private static final String OPENAPI = "/openapi/dashboard-v1.json";

  private final DashboardMeter meter;
  private final MetricsAccess access;
  private final Duration tick;
  private final Semaphore slots;
  private final int maxClients;
  private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker;
  private final byte[] page = resource("dashboard.html");
  private final byte[] script = resource("dashboard.js");
  private volatile String latest;
  private volatile boolean closed;

  /**
   * A dashboard of {@code registry}'s meters.
   *
   * @param access who may open the event stream
   * @param objective the availability objective of the error budget (0.999 is 99.9 %)
   * @param zone this process's zone, counted as one instance until {@link #supplyInstancesByZone}
   * @param tick how often figures are sent
   * @param maxClients event streams open at once
   */
  public Dashboard(
      MeterRegistry registry,
      MetricsAccess access,
      double objective,
      String zone,
      Duration tick,
      int maxClients) {
    if (maxClients < 1) {
      throw new IllegalArgumentException("maxClients must be at least 1 but was " + maxClients);
    }
    if (tick.isNegative() || tick.isZero()) {
      throw new IllegalArgumentException("tick must be positive but was " + tick);
    }
    this.meter = new DashboardMeter(registry, objective, DashboardMeter.self(zone));
    this.access = access;
    this.tick = tick;
    this.maxClients = maxClients;
    this.slots = new Semaphore(maxClients);
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("bulwark-dashboard").unstarted(r));
    this.latest = Json.write(meter.next(Clock.systemUTC().instant(), System.nanoTime()));
    ticker.scheduleAtFixedRate(
        this::broadcast, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The hook for a process that runs an instance group: from now on the dashboard shows the
   * instances per zone {@code supplier} answers instead of this process alone.
   */
  public void supplyInstancesByZone(Supplier<Map<String, Integer>> supplier) {
    meter.supplyInstancesByZone(supplier);
  }

  /** Event streams open now. */
  public int clients() {
    return clients.size();
  }

  @Override
  public void register(Javalin app) {
    app.get(
        "/dashboard",
        ctx ->
            ctx.contentType("text/html; charset=utf-8")
                .header("Cache-Control", "no-cache")
                .header(
                    "Content-Security-Policy",
                    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline';"
                        + " connect-src 'self'")
                .result(page));
    app.get(
        "/dashboard/dashboard.js",
        ctx ->
            ctx.contentType("text/javascript; charset=utf-8")
                .header("Cache-Control", "no-cache")
                .result(script));
    app.before(EVENTS, this::admit);
    app.sse(EVENTS, this::open);
    app.after(EVENTS, this::release);
  }

  @Override
  public Optional<JsonNode> openApi() {
    return Optional.of(OpenApi.resource(Dashboard.class, OPENAPI));
  }

  /** Refuses a stream the client may not open, or one beyond {@code maxClients}. */
  private void admit(Context ctx) throws IOException {
    String client = ctx.req().getRemoteAddr().replaceAll("^\\[|\\]$", "");
    String authorization = ctx.header("Authorization");
    String token = ctx.queryParam("token");
    if (authorization == null && token != null) {
      authorization = "Bearer " + token;
    }
    if (!access.allows(InetAddress.getByName(client), authorization)) {
      refuse(
          ctx,
          403,
          "dashboard-forbidden",
          "Forbidden",
          EVENTS + " is restricted like /metrics: the configured address ranges or bearer token");
      return;
    }
    if (!EVENT_STREAM.equals(ctx.header("Accept"))) {
      refuse(
          ctx,
          406,
          "not-acceptable",
          "Not acceptable",
          EVENTS + " answers only Accept: text/event-stream (an EventSource sends it)");
      return;
    }
    if (closed) {
      refuse(ctx, 503, "unavailable", "Service unavailable", "the server is stopping");
      return;
    }
    if (!slots.tryAcquire()) {
      ctx.header("Retry-After", "5");
      refuse(
          ctx,
          503,
          "dashboard-full",
          "Service unavailable",
          "the dashboard already streams to " + maxClients + " clients; try again later");
      return;
    }
    ctx.attribute(SLOT, new AtomicBoolean(true));
  }

  private static void refuse(Context ctx, int status, String type, String title, String detail) {
    ProblemRenderer.write(ctx, status, type, title, detail, Map.of());
    ctx.skipRemainingHandlers();
  }

  private void open(SseClient client) {
    Context ctx = client.ctx();
    client.keepAlive();
    client.onClose(
        () -> {
          clients.remove(client);
          release(ctx);
        });
    clients.add(client);
    client.sendEvent("figures", latest);
    if (closed) {
      client.close();
    }
  }

  /** Gives back the stream's slot, once, however the stream ended. */
  private void release(Context ctx) {
    AtomicBoolean held = ctx.attribute(SLOT);
    if (held != null && held.getAndSet(false)) {
      slots.release();
    }
  }

  private void broadcast() {
    try {
      latest = Json.write(meter.next(Clock.systemUTC().instant(), System.nanoTime()));
      for (SseClient c : clients) {
        if (c.terminated()) {
          clients.remove(c);
        } else {
          c.sendEvent("figures", latest);
        }
      }
    } catch (RuntimeException e) { // the next tick tries again; the ticker must not die
      log.warn("dashboard tick failed", e);
    }
  }

  /** Stops the ticker and ends every event stream. */
  @Override
  public void close() {
    closed = true;
    ticker.shutdownNow();
    for (SseClient c : clients) {
      try {
        c.close();
      } catch (RuntimeException e) {
        log.debug("dashboard stream failed to close", e);
      }
    }
    clients.clear();
  }

  /** The tick. */
  public Duration tick() {
    return tick;
  }

  private static byte[] resource(String name) {
    try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/" + name)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource /dashboard/" + name + " is missing");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
