package io.bulwark.server.http;

import io.bulwark.kernel.Ids;
import io.javalin.http.Context;
import org.slf4j.MDC;

/**
 * Correlation ids: taken from {@code X-Request-Id} (or {@code X-Correlation-Id}) when the caller
 * sends a sane one, generated otherwise; echoed in the response and put in the logging MDC.
 */
public final class RequestIds {

  /** Response and request header carrying the id. */
  public static final String HEADER = "X-Request-Id";

  /** MDC key under which logs carry the id. */
  public static final String MDC_KEY = "correlationId";

  private static final String ATTRIBUTE = "bulwark.correlationId";

  private RequestIds() {}

  static void assign(Context ctx) {
    String id = ctx.header(HEADER);
    if (!valid(id)) {
      id = ctx.header("X-Correlation-Id");
    }
    if (!valid(id)) {
      id = Ids.newId().toString();
    }
    ctx.attribute(ATTRIBUTE, id);
    ctx.header(HEADER, id);
    MDC.put(MDC_KEY, id);
  }

  /** The correlation id of the request in {@code ctx}. */
  public static String current(Context ctx) {
    String id = ctx.attribute(ATTRIBUTE);
    return id != null ? id : "unknown";
  }

  static void clear() {
    MDC.remove(MDC_KEY);
  }

  private static boolean valid(String id) {
    return id != null && id.length() <= 128 && id.matches("[A-Za-z0-9._:-]+");
  }
}
