package io.bulwark.server.http;

import io.bulwark.kernel.Problem;
import java.util.LinkedHashMap;
import java.util.Map;

/** A request the server cannot accept as sent: malformed JSON, a wrong type, a missing field. */
public final class BadRequest extends RuntimeException implements Problem {

  private final String field;

  /** A bad request about {@code field} (a JSON path like {@code $.items[0].quantity}, or null). */
  public BadRequest(String field, String detail) {
    super(detail);
    this.field = field;
  }

  @Override
  public int status() {
    return 400;
  }

  @Override
  public String title() {
    return "Bad request";
  }

  @Override
  public String type() {
    return "bad-request";
  }

  @Override
  public String detail() {
    return getMessage();
  }

  @Override
  public Map<String, Object> extensions() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (field != null) {
      m.put("field", field);
    }
    return m;
  }
}
