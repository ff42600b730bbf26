package io.bulwark.http;

import io.bulwark.kernel.DatabaseFailures;
import io.bulwark.kernel.Problem;
import io.bulwark.kernel.ProblemDocument;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Javalin side of problem+json: turns a failure into a {@link ProblemDocument} response. Domain
 * errors implement {@link Problem}; anything else is an internal error, logged with its stack trace
 * and answered with only a correlation id.
 */
public final class ProblemRenderer {

  private static final Logger log = LoggerFactory.getLogger(ProblemRenderer.class);

  private static final Spell DATABASE_UNAVAILABLE = new Spell();
  private static final Spell POOL_EXHAUSTED = new Spell();

  private ProblemRenderer() {}

  /** Renders {@code e} onto {@code ctx}. */
  public static void render(Exception e, Context ctx) {
    if (e instanceof Problem p) {
      write(ctx, ProblemDocument.of(p, ctx.path(), RequestIds.current(ctx)));
    } else if (e instanceof HttpResponseException h) {
      StatusText text = StatusText.of(h.getStatus());
      write(ctx, h.getStatus(), text.slug(), text.title(), h.getMessage(), Map.of());
    } else if (databaseUnavailable(e)) {
      // the database is switching primaries (or restarting): the client may retry shortly
      if (DATABASE_UNAVAILABLE.begins()) {
        log.warn(
            "database unavailable: answering 503 database-unavailable (first: {} {}: {}); the"
                + " further ones are logged at DEBUG until 30 s pass without one",
            ctx.method(),
            ctx.path(),
            e.toString());
      } else {
        log.debug("database unavailable for {} {}: {}", ctx.method(), ctx.path(), e.toString());
      }
      writeDatabaseUnavailable(ctx);
    } else if (poolExhausted(e)) {
      // overload, not a bug: the client may retry (with the same Idempotency-Key, if any)
      if (POOL_EXHAUSTED.begins()) {
        log.warn(
            "no database connection in time: answering 503 service-unavailable (first: {} {}: {});"
                + " the further ones are logged at DEBUG until 30 s pass without one",
            ctx.method(),
            ctx.path(),
            e.getMessage());
      } else {
        log.debug(
            "no database connection in time for {} {}: {}",
            ctx.method(),
            ctx.path(),
            e.getMessage());
      }
      write(
          ctx,
          503,
          "service-unavailable",
          "Service unavailable",
          "the server is overloaded: no database connection became free in time; retry shortly",
          Map.of(ProblemDocument.RETRY_AFTER_SECONDS, 1));
    } else {
      log.error("internal error on {} {}", ctx.method(), ctx.path(), e);
      write(ctx, ProblemDocument.internalError(ctx.path(), RequestIds.current(ctx)));
    }
  }

  /**
   * Writes 503 {@code database-unavailable} with {@code Retry-After: 1}: the database is away (a
   * failover or a restart), the client may retry shortly.
   */
  public static void writeDatabaseUnavailable(Context ctx) {
    write(
        ctx,
        503,
        "database-unavailable",
        "Database unavailable",
        "the database is unavailable (a failover or restart is in progress); retry shortly",
        Map.of(ProblemDocument.RETRY_AFTER_SECONDS, 1));
  }

  /** Writes a problem response with the given members about the request in {@code ctx}. */
  public static void write(
      Context ctx,
      int status,
      String type,
      String title,
      String detail,
      Map<String, Object> extensions) {
    write(
        ctx,
        new ProblemDocument(
            status, type, title, detail, ctx.path(), RequestIds.current(ctx), extensions));
  }

  /** Writes {@code problem} as the response: its status, media type, UTF-8 body, Retry-After. */
  public static void write(Context ctx, ProblemDocument problem) {
    problem
        .retryAfterSeconds()
        .ifPresent(seconds -> ctx.header("Retry-After", Long.toString(seconds)));
    // Bytes, not a String: Javalin would encode a String in Jetty's default ISO-8859-1.
    ctx.status(problem.status())
        .contentType(ProblemDocument.CONTENT_TYPE)
        .result(problem.toBytes());
  }

  /** Whether the response in {@code ctx} is already a problem. */
  public static boolean isProblem(Context ctx) {
    String type = ctx.res().getContentType();
    return type != null && type.startsWith(ProblemDocument.MEDIA_TYPE);
  }

  /** See {@link DatabaseFailures#unavailable}. */
  static boolean databaseUnavailable(Throwable e) {
    return DatabaseFailures.unavailable(e);
  }

  /** See {@link DatabaseFailures#poolExhausted}. */
  static boolean poolExhausted(Throwable e) {
    return DatabaseFailures.poolExhausted(e);
  }

  /**
   * A spell of one kind of 503 (the database away, the pool empty): it begins with the first such
   * answer after 30 s without one, so an outage logs one line, not one per request.
   */
  private static final class Spell {
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(30);
    private final AtomicLong last = new AtomicLong();
    private final AtomicBoolean seen = new AtomicBoolean();

    boolean begins() {
      long now = System.nanoTime();
      long previous = last.getAndSet(now);
      return !seen.getAndSet(true) || now - previous > QUIET_NANOS;
    }
  }

  /** The slug and title of a bare HTTP status, for Javalin's own errors. */
  record StatusText(String slug, String title) {
    static StatusText of(int status) {
      return switch (status) {
        case 400 -> new StatusText("bad-request", "Bad request");
        case 401 -> new StatusText("unauthorized", "Unauthorized");
        case 403 -> new StatusText("forbidden", "Forbidden");
        case 404 -> new StatusText("not-found", "Not found");
        case 405 -> new StatusText("method-not-allowed", "Method not allowed");
        case 409 -> new StatusText("conflict", "Conflict");
        case 413 -> new StatusText("payload-too-large", "Payload too large");
        case 415 -> new StatusText("unsupported-media-type", "Unsupported media type");
        case 429 -> new StatusText("too-many-requests", "Too many requests");
        case 503 -> new StatusText("unavailable", "Service unavailable");
        default -> new StatusText("http-" + status, "HTTP " + status);
      };
    }
  }
}
