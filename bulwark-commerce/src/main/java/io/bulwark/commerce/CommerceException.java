package io.bulwark.commerce;

import io.bulwark.kernel.Problem;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The commerce domain's errors. Each one knows its HTTP status and problem type, so adapters only
 * throw and the server renders {@code application/problem+json}.
 */
public abstract sealed class CommerceException extends RuntimeException implements Problem {

  private final int status;
  private final String type;
  private final String title;
  private final Map<String, Object> extensions;

  private CommerceException(
      int status, String type, String title, String detail, Map<String, Object> extensions) {
    super(detail);
    this.status = status;
    this.type = type;
    this.title = title;
    this.extensions = extensions;
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public String title() {
    return title;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public String detail() {
    return getMessage();
  }

  @Override
  public Map<String, Object> extensions() {
    return extensions;
  }

  private static Map<String, Object> field(String field) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (field != null) {
      m.put("field", field);
    }
    return m;
  }

  /** A value that breaks a rule; {@code field} is a JSON path or parameter name. 400. */
  public static final class InvalidInput extends CommerceException {
    /** An invalid {@code field}, explained by {@code detail}. */
    public InvalidInput(String field, String detail) {
      super(400, "bad-request", "Bad request", detail, field(field));
    }
  }

  /** A well-formed request naming something that does not exist, like an unknown sku. 422. */
  public static final class Unprocessable extends CommerceException {
    /** An unprocessable {@code field}. */
    public Unprocessable(String type, String field, String detail) {
      super(422, type, "Unprocessable request", detail, field(field));
    }
  }

  /** No such resource. 404. */
  public static final class NotFound extends CommerceException {
    /** {@code detail} names what was looked for. */
    public NotFound(String detail) {
      super(404, "not-found", "Not found", detail, Map.of());
    }
  }

  /** The request conflicts with the current state, like a reused idempotency key. 409. */
  public static final class Conflict extends CommerceException {
    /** A conflict of problem type {@code type}. */
    public Conflict(String type, String detail) {
      super(409, type, "Conflict", detail, Map.of());
    }
  }

  /** No credentials, or invalid or expired ones. 401. */
  public static final class Unauthorized extends CommerceException {
    /** Why the credentials were not accepted. */
    public Unauthorized(String detail) {
      super(401, "unauthorized", "Unauthorized", detail, Map.of());
    }
  }

  /** Authenticated, but not allowed to do this. 403. */
  public static final class Forbidden extends CommerceException {
    /** What was not allowed. */
    public Forbidden(String detail) {
      super(403, "forbidden", "Forbidden", detail, Map.of());
    }
  }

  /** Too many attempts; retry after {@link #retryAfterSeconds()}. 429. */
  public static final class TooManyRequests extends CommerceException {
    private final long retryAfterSeconds;

    /** Rejected for {@code retryAfterSeconds} more seconds. */
    public TooManyRequests(String detail, long retryAfterSeconds) {
      super(
          429,
          "too-many-requests",
          "Too many requests",
          detail,
          Map.of("retryAfterSeconds", retryAfterSeconds));
      this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds until the caller may try again. */
    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }
}
