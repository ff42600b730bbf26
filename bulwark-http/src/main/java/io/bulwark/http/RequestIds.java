package io.bulwark.http;

import io.bulwark.kernel.CorrelationId;
import io.javalin.http.Context;
import org.slf4j.MDC;

/**
 * Correlation ids on a Javalin app: taken from {@code X-Request-Id} (or {@code X-Correlation-Id})
 * when the caller sends a sane one ({@link CorrelationId#valid}), generated otherwise; echoed in
 * the response and put in the logging MDC for the request's thread.
 */
public final class RequestIds {

  /** Response and request header carrying the id. */
  public static final String HEADER = CorrelationId.HEADER;

  /** MDC key under which logs carry the id. */
  public static final String MDC_KEY = "correlationId";

  private static final String ATTRIBUTE = "bulwark.correlationId";

  private RequestIds() {}

  /** Gives the request in {@code ctx} its id; run before every handler. */
  public static void assign(Context ctx) {
    String id = ctx.header(HEADER);
    if (!CorrelationId.valid(id)) {
      id = CorrelationId.accept(ctx.header("X-Correlation-Id"));
    }
    ctx.attribute(ATTRIBUTE, id);
    ctx.header(HEADER, id);
    MDC.put(MDC_KEY, id);
  }

  /** The correlation id of the request in {@code ctx}, or "unknown" before {@link #assign}. */
  public static String current(Context ctx) {
    String id = ctx.attribute(ATTRIBUTE);
    return id != null ? id : "unknown";
  }

  /** Takes the id off the logging MDC; run after every request. */
  public static void clear() {
    MDC.remove(MDC_KEY);
  }
}
