package io.bulwark.server.http;

import io.bulwark.kernel.Json;
import io.bulwark.kernel.Problem;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into RFC 9457 {@code application/problem+json} responses.
 * Domain errors implement {@link Problem}; anything else is an internal error, logged with its
 * stack trace and answered with only a correlation id.
 */
public final class ProblemRenderer {

  /** Media type of every error response. */
  public static final String PROBLEM_JSON = "application/problem+json";

  private static final Logger log = LoggerFactory.getLogger(ProblemRenderer.class);

  private ProblemRenderer() {}

  /** Renders {@code e} onto {@code ctx}. */
  public static void render(Exception e, Context ctx) {
    if (e instanceof Problem p) {
      write(ctx, p.status(), p.type(), p.title(), p.detail(), p.extensions());
    } else if (e instanceof HttpResponseException h) {
      int status = h.getStatus();
      write(ctx, status, slug(status), title(status), h.getMessage(), Map.of());
    } else if (poolExhausted(e)) {
      // overload, not a bug: the client may retry (with the same Idempotency-Key, if any)
      log.warn(
          "no database connection in time for {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
      write(
          ctx,
          503,
          "service-unavailable",
          "Service unavailable",
          "the server is overloaded: no database connection became free in time; retry shortly",
          Map.of("retryAfterSeconds", 1));
    } else {
      log.error("internal error on {} {}", ctx.method(), ctx.path(), e);
      write(
          ctx,
          500,
          "internal-error",
          "Internal server error",
          "the server failed to handle this request; quote correlationId "
              + RequestIds.current(ctx)
              + " when reporting it",
          Map.of());
    }
  }

  /** Writes a problem response with the given members. */
  public static void write(
      Context ctx,
      int status,
      String type,
      String title,
      String detail,
      Map<String, Object> extensions) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "/problems/" + type);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", ctx.path());
    body.put("correlationId", RequestIds.current(ctx));
    extensions.forEach(body::putIfAbsent);
    if (extensions.get("retryAfterSeconds") instanceof Number seconds) {
      ctx.header("Retry-After", Long.toString(seconds.longValue()));
    }
    ctx.status(status).contentType(PROBLEM_JSON).result(Json.write(body));
  }

  /** Whether {@code e} comes from a connection pool that had no connection free in time. */
  static boolean poolExhausted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTransientConnectionException) {
        return true;
      }
    }
    return false;
  }

  static String slug(int status) {
    return switch (status) {
      case 400 -> "bad-request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not-found";
      case 405 -> "method-not-allowed";
      case 409 -> "conflict";
      case 413 -> "payload-too-large";
      case 415 -> "unsupported-media-type";
      case 429 -> "too-many-requests";
      case 503 -> "unavailable";
      default -> "http-" + status;
    };
  }

  static String title(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 409 -> "Conflict";
      case 413 -> "Payload too large";
      case 415 -> "Unsupported media type";
      case 429 -> "Too many requests";
      case 503 -> "Service unavailable";
      default -> "HTTP " + status;
    };
  }
}
