package io.bulwark.states.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Timestamps as Step Functions reads them: ISO-8601 extended offset date-times. */
public final class Timestamps {
  private Timestamps() {}

  /** The instant of an ISO-8601 extended offset date-time like 2016-03-14T01:59:00Z; else null. */
  public static Instant parse(String text) {
    if (text == null || text.indexOf('T') < 0) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
