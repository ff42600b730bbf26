package io.bulwark.kernel;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One RFC 9457 problem body, the same members whichever adapter sends it (the Javalin server, the
 * gateway's admin API and proxy, the fleet API, an instance process): {@code type} ({@code
 * /problems/<slug>}), {@code title}, {@code status}, {@code detail}, {@code instance} (the request
 * path), {@code correlationId} (the request's id, also sent as {@code X-Request-Id}), then the
 * problem's extensions. An extension never replaces a standard member.
 *
 * <p>Adapters send {@link #toBytes()} (UTF-8, as RFC 8259 requires of JSON) with the content type
 * {@link #MEDIA_TYPE}, and a {@code Retry-After} header when {@link #retryAfterSeconds()} is set.
 *
 * @param status the HTTP status, 100..599
 * @param type a stable slug naming the problem type, e.g. {@code version-conflict}
 * @param title a short summary of the problem type
 * @param detail this occurrence's explanation; may be null
 * @param instance the path of the request the problem is about
 * @param correlationId the request's correlation id
 * @param extensions extra members, in order; copied
 */
public record ProblemDocument(
    int status,
    String type,
    String title,
    String detail,
    String instance,
    String correlationId,
    Map<String, Object> extensions) {

  /** The media type of every problem body. */
  public static final String MEDIA_TYPE = "application/problem+json";

  /** The Content-Type header of a problem response: the media type, and that the body is UTF-8. */
  public static final String CONTENT_TYPE = MEDIA_TYPE + "; charset=utf-8";

  /** The extension member that asks the client to wait before retrying, in whole seconds. */
  public static final String RETRY_AFTER_SECONDS = "retryAfterSeconds";

  /** Checks the members; see the record description. */
  public ProblemDocument {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be in 100..599 but was " + status);
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(correlationId, "correlationId");
    extensions = Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  /** The body for {@code problem}, raised while handling the request at {@code instance}. */
  public static ProblemDocument of(Problem problem, String instance, String correlationId) {
    return new ProblemDocument(
        problem.status(),
        problem.type(),
        problem.title(),
        problem.detail(),
        instance,
        correlationId,
        problem.extensions());
  }

  /**
   * The body for a failure that is not a {@link Problem}: a 500 that reveals nothing of the failure
   * (the adapter logs it) but the correlation id to quote.
   */
  public static ProblemDocument internalError(String instance, String correlationId) {
    return new ProblemDocument(
        500,
        "internal-error",
        "Internal server error",
        "the server failed to handle this request; quote correlationId "
            + correlationId
            + " when reporting it",
        instance,
        correlationId,
        Map.of());
  }

  /** The body's members in order: the standard ones, then the extensions. */
  public Map<String, Object> members() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "/problems/" + type);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", instance);
    body.put("correlationId", correlationId);
    extensions.forEach(body::putIfAbsent);
    return body;
  }

  /** The body as compact JSON. */
  public String toJson() {
    return Json.write(members());
  }

  /** The body as UTF-8 bytes, ready to send. */
  public byte[] toBytes() {
    return toJson().getBytes(StandardCharsets.UTF_8);
  }

  /** The {@code Retry-After} the response should carry, from the extension of that name. */
  public OptionalLong retryAfterSeconds() {
    return extensions.get(RETRY_AFTER_SECONDS) instanceof Number seconds
        ? OptionalLong.of(seconds.longValue())
        : OptionalLong.empty();
  }
}
