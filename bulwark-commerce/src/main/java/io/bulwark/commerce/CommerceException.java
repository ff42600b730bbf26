package io.bulwark.commerce;

import io.bulwark.kernel.ProblemException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The commerce domain's errors. Each one knows its HTTP status and problem type, so adapters only
 * throw and the server renders {@code application/problem+json}. Every constructor has a variant
 * taking the failure that caused it; use it inside {@code catch} blocks.
 */
public abstract sealed class CommerceException extends ProblemException {

  private CommerceException(
      int status,
      String type,
      String title,
      String detail,
      Map<String, Object> extensions,
      Throwable cause) {
    super(status, type, title, detail, extensions, cause);
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
      this(field, detail, null);
    }

    /** An invalid {@code field}, found while handling {@code cause}. */
    public InvalidInput(String field, String detail, Throwable cause) {
      super(400, "bad-request", "Bad request", detail, field(field), cause);
    }
  }

  /** A well-formed request naming something that does not exist, like an unknown sku. 422. */
  public static final class Unprocessable extends CommerceException {
    /** An unprocessable {@code field}. */
    public Unprocessable(String type, String field, String detail) {
      this(type, field, detail, null);
    }

    /** An unprocessable {@code field}, found while handling {@code cause}. */
    public Unprocessable(String type, String field, String detail, Throwable cause) {
      super(422, type, "Unprocessable request", detail, field(field), cause);
    }
  }

  /** No such resource. 404. */
  public static final class NotFound extends CommerceException {
    /** {@code detail} names what was looked for. */
    public NotFound(String detail) {
      this(detail, null);
    }

    /** {@code detail} names what was looked for; {@code cause} why it was not found. */
    public NotFound(String detail, Throwable cause) {
      super(404, "not-found", "Not found", detail, Map.of(), cause);
    }
  }

  /** The request conflicts with the current state, like a reused idempotency key. 409. */
  public static final class Conflict extends CommerceException {
    /** A conflict of problem type {@code type}. */
    public Conflict(String type, String detail) {
      this(type, detail, null);
    }

    /** A conflict of problem type {@code type}, found while handling {@code cause}. */
    public Conflict(String type, String detail, Throwable cause) {
      super(409, type, "Conflict", detail, Map.of(), cause);
    }
  }

  /** No credentials, or invalid or expired ones. 401. */
  public static final class Unauthorized extends CommerceException {
    /** Why the credentials were not accepted. */
    public Unauthorized(String detail) {
      this(detail, null);
    }

    /** Why the credentials were not accepted, with the failure that showed it. */
    public Unauthorized(String detail, Throwable cause) {
      super(401, "unauthorized", "Unauthorized", detail, Map.of(), cause);
    }
  }

  /** Authenticated, but not allowed to do this. 403. */
  public static final class Forbidden extends CommerceException {
    /** What was not allowed. */
    public Forbidden(String detail) {
      super(403, "forbidden", "Forbidden", detail, Map.of(), null);
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
          Map.of("retryAfterSeconds", retryAfterSeconds),
          null);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds until the caller may try again. */
    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** The shop cannot take this now, like a full order intake; retry after a while. 503. */
  public static final class Unavailable extends CommerceException {
    private final long retryAfterSeconds;

    /** Refused with problem type {@code type}; worth retrying after {@code retryAfterSeconds}. */
    public Unavailable(String type, String detail, long retryAfterSeconds) {
      super(
          503,
          type,
          "Service unavailable",
          detail,
          Map.of("retryAfterSeconds", retryAfterSeconds),
          null);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds until the caller may try again. */
    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }
}
