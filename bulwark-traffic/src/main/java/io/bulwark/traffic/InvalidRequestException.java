package io.bulwark.traffic;

import java.util.LinkedHashMap;
import java.util.Map;

/** A change request whose input is malformed or out of range; names the offending field. */
public final class InvalidRequestException extends TrafficException {
  private final String field;

  public InvalidRequestException(String field, String message) {
    super(field == null ? message : field + ": " + message);
    this.field = field;
  }

  public InvalidRequestException(String field, String message, Throwable cause) {
    super(field == null ? message : field + ": " + message, cause);
    this.field = field;
  }

  /** The offending field, or null when the whole body is unreadable. */
  public String field() {
    return field;
  }

  @Override
  public int status() {
    return 400;
  }

  @Override
  public String title() {
    return "Invalid request";
  }

  @Override
  public String type() {
    return "invalid-request";
  }

  @Override
  public Map<String, Object> extensions() {
    Map<String, Object> ext = new LinkedHashMap<>();
    if (field != null) {
      ext.put("field", field);
    }
    return ext;
  }
}
