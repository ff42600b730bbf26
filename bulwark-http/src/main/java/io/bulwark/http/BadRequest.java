package io.bulwark.http;

import io.bulwark.kernel.ProblemException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A request the server cannot accept as sent: malformed JSON, a wrong type, a missing field. */
public final class BadRequest extends ProblemException {

  /** A bad request about {@code field} (a JSON path like {@code $.items[0].quantity}, or null). */
  public BadRequest(String field, String detail) {
    this(field, detail, null);
  }

  /** As {@link #BadRequest(String, String)}, found while handling {@code cause}. */
  public BadRequest(String field, String detail, Throwable cause) {
    super(400, "bad-request", "Bad request", detail, field(field), cause);
  }

  private static Map<String, Object> field(String field) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (field != null) {
      m.put("field", field);
    }
    return m;
  }
}
