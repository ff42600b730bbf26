package io.bulwark.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.http.ControlCharacters;
import io.bulwark.http.HttpModule;
import io.bulwark.http.OpenApi;
import io.bulwark.http.ProblemRenderer;
import io.bulwark.http.RequestIds;
import io.bulwark.http.Tracing;
import io.bulwark.kernel.Json;
import io.bulwark.server.MetricsAccess;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of a Bulwark process: health, metrics, correlation ids, problem+json errors and
 * graceful shutdown, with capability modules adding their routes.
 */
public final class HttpApi {

  /** Connections the kernel queues for the acceptor (Java's default is 50). */
  static final int ACCEPT_QUEUE = 1024;

  /** How long a request's headers may take to arrive, from their first byte. */
  static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);

  /** How long a request's body may take to arrive, from the end of its headers. */
  static final Duration BODY_TIMEOUT = Duration.ofSeconds(30);

  /** Tells browsers to trust the Content-Type instead of sniffing the body; on every response. */
  static final String NOSNIFF = "X-Content-Type-Options";

  private static final Logger access = LoggerFactory.getLogger("io.bulwark.access");
  private static final String TIMER_ATTRIBUTE = "bulwark.timer";

  private HttpApi() {}

  /**
   * A configured, not yet started Javalin app.
   *
   * @param registry where HTTP metrics go and what {@code /metrics} scrapes
   * @param ready answers {@code /health/ready}: true when dependencies are reachable
   * @param shutdownGrace how long in-flight requests may run after stop is called
   * @param metrics who may read {@code /metrics}
   * @param modules capability routes
   */
  public static Javalin create(
      PrometheusMeterRegistry registry,
      BooleanSupplier ready,
      Duration shutdownGrace,
      MetricsAccess metrics,
      List<HttpModule> modules) {
    return create(registry, ready, shutdownGrace, metrics, modules, HEADER_TIMEOUT, BODY_TIMEOUT);
  }

  /** As above, with the times a request's headers and body may take to arrive. */
  static Javalin create(
      PrometheusMeterRegistry registry,
      BooleanSupplier ready,
      Duration shutdownGrace,
      MetricsAccess metrics,
      List<HttpModule> modules,
      Duration headerTimeout,
      Duration bodyTimeout) {
    AtomicReference<Server> jetty = new AtomicReference<>();
    AtomicReference<SlowRequests> slow = new AtomicReference<>();
    Tracing tracing = Tracing.fromEnvironment("bulwark");
    Javalin app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.useVirtualThreads = true;
              config.jsonMapper(new JavalinJackson(Json.mapper(), true));
              config.http.maxRequestSize = 1_000_000L;
              config.router.ignoreTrailingSlashes = true;
              // a known path with the wrong method is 405 with Allow (RFC 9110 15.5.6), not 404
              config.http.prefer405over404 = true;
              config.jetty.modifyServer(
                  server -> {
                    // Jetty finishes in-flight requests on stop only behind a StatisticsHandler.
                    StatisticsHandler stats = new StatisticsHandler();
                    stats.setHandler(server.getHandler());
                    server.setHandler(stats);
                    server.setStopTimeout(shutdownGrace.toMillis());
                    server.setErrorHandler(new ProblemErrorHandler());
                    jetty.set(server);
                  });
              // A burst of new connections waits in the kernel until it is accepted. Java's
              // default listen backlog is 50: a burst larger than that, arriving while the
              // acceptor is short of CPU, loses connections (clients see an empty reply).
              config.events.serverStarting(
                  () -> {
                    // the servlet context answers errors of its own (a path it finds ambiguous)
                    for (var context :
                        jetty
                            .get()
                            .getChildHandlersByClass(
                                org.eclipse.jetty.servlet.ServletContextHandler.class)) {
                      ((org.eclipse.jetty.servlet.ServletContextHandler) context)
                          .setErrorHandler(new ProblemErrorHandler());
                    }
                    for (var connector : jetty.get().getConnectors()) {
                      if (connector instanceof ServerConnector sc) {
                        sc.setAcceptQueueSize(ACCEPT_QUEUE);
                      }
                    }
                  });
              config.events.serverStarted(
                  () ->
                      slow.set(new SlowRequests(jetty.get(), headerTimeout, bodyTimeout).start()));
              config.events.serverStopping(
                  () -> {
                    SlowRequests s = slow.getAndSet(null);
                    if (s != null) {
                      s.close();
                    }
                  });
              config.events.serverStopped(tracing::close);
            });

    app.before(
        ctx -> {
          RequestIds.assign(ctx);
          tracing.start(ctx);
          ctx.attribute(TIMER_ATTRIBUTE, Timer.start(registry));
          ctx.header(NOSNIFF, "nosniff");
          ControlCharacters.check(ctx);
        });
    app.after(
        ctx -> {
          Timer.Sample sample = ctx.attribute(TIMER_ATTRIBUTE);
          String route = ctx.endpointHandlerPath();
          int status = ctx.statusCode();
          if (sample != null) {
            long nanos =
                sample.stop(
                    Timer.builder("http.server.requests")
                        .tag("method", ctx.method().name())
                        .tag("uri", route == null || route.isEmpty() ? "UNMATCHED" : route)
                        .tag("status", Integer.toString(status))
                        .register(registry));
            access.info("{} {} {} {}ms", ctx.method(), ctx.path(), status, nanos / 1_000_000.0);
          }
          tracing.end(ctx, route, status);
          RequestIds.clear();
        });

    app.exception(Exception.class, (e, ctx) -> ProblemRenderer.render(e, ctx));
    // Javalin answers its own HttpResponseExceptions (413 body too large, …) as text/plain unless a
    // handler is registered for that exact type: keep every error problem+json.
    app.exception(
        HttpResponseException.class,
        (e, ctx) -> {
          // Javalin signals "no such route" with its own 404/405 exceptions once a handler for
          // their type exists; a module's own 404s keep their detail.
          if (e.getStatus() == 404 && e.getMessage().startsWith("Endpoint ")) {
            noRoute(ctx);
          } else if (e.getStatus() == 405) {
            methodNotAllowed(ctx, e.getDetails().get("availableMethods"));
          } else {
            ProblemRenderer.render(e, ctx);
          }
        });
    app.error(
        HttpStatus.NOT_FOUND,
        ctx -> {
          if (!ProblemRenderer.isProblem(ctx)) {
            noRoute(ctx);
          }
        });
    app.error(
        HttpStatus.METHOD_NOT_ALLOWED,
        ctx -> {
          if (!ProblemRenderer.isProblem(ctx)) {
            methodNotAllowed(ctx, null);
          }
        });

    app.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
    app.get(
        "/health/ready",
        ctx -> {
          if (ready.getAsBoolean()) {
            ctx.json(Map.of("status", "UP"));
          } else {
            ProblemRenderer.write(
                ctx,
                503,
                "unavailable",
                "Service unavailable",
                "not ready: the database is unreachable or its migrations have not run",
                Map.of("status", "DOWN"));
          }
        });
    app.get(
        "/metrics",
        ctx -> {
          String client = ctx.req().getRemoteAddr().replaceAll("^\\[|\\]$", "");
          if (!metrics.allows(InetAddress.getByName(client), ctx.header("Authorization"))) {
            ProblemRenderer.write(
                ctx,
                403,
                "metrics-forbidden",
                "Forbidden",
                "/metrics is restricted to the configured address ranges or bearer token",
                Map.of());
            return;
          }
          ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
        });

    byte[] document = Json.write(document(modules)).getBytes(StandardCharsets.UTF_8);
    app.get(
        OpenApi.PATH,
        ctx ->
            ctx.contentType("application/json")
                .header("Cache-Control", "public, max-age=3600")
                .result(document));

    modules.forEach(m -> m.register(app));
    return app;
  }

  /** The classpath resource describing the server's own routes and the shared components. */
  static final String OPENAPI_BASE = "/openapi/server-v1.json";

  /**
   * The OpenAPI document of a server running {@code modules}: the server's own routes and each
   * module's part, so it describes the routes of the modules this server runs and no other.
   */
  public static ObjectNode document(List<HttpModule> modules) {
    return OpenApi.merge(
        OpenApi.resource(HttpApi.class, OPENAPI_BASE),
        modules.stream().flatMap(m -> m.openApi().stream()).toList());
  }

  private static void noRoute(io.javalin.http.Context ctx) {
    ProblemRenderer.write(
        ctx,
        404,
        "not-found",
        "Not found",
        "no route for " + ctx.method() + " " + ctx.path(),
        Map.of());
  }

  /** 405 naming the methods the path has ({@code allowed}: "GET, POST" or null when unknown). */
  private static void methodNotAllowed(io.javalin.http.Context ctx, String allowed) {
    if (allowed != null && !allowed.isBlank()) {
      ctx.header("Allow", allowed);
    }
    ProblemRenderer.write(
        ctx,
        405,
        "method-not-allowed",
        "Method not allowed",
        ctx.method()
            + " is not allowed on "
            + ctx.path()
            + (allowed == null || allowed.isBlank() ? "" : "; it allows " + allowed),
        allowed == null || allowed.isBlank() ? Map.of() : Map.of("allow", allowed));
  }
}
