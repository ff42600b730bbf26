package io.bulwark.fleet.cli;

import io.bulwark.fleet.ScheduledAction;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code --schedule SERVICE@TIME=MIN/MAX/DESIRED} option. */
record ScheduleOption(String service, ScheduledAction action) {
  private static final Pattern SYNTAX = Pattern.compile("([^@]+)@([^=]+)=(\\d+)/(\\d+)/(\\d+)");

  static ScheduleOption parse(String text) {
    Matcher m = SYNTAX.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "--schedule: expected SERVICE@TIME=MIN/MAX/DESIRED like"
              + " web@2026-11-27T06:00:00Z=12/30/12, got \""
              + text
              + "\"");
    }
    Instant at;
    try {
      at = Instant.parse(m.group(2));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--schedule: expected an ISO-8601 instant like 2026-11-27T06:00:00Z, got \""
              + m.group(2)
              + "\"",
          e);
    }
    int min = Integer.parseInt(m.group(3));
    int max = Integer.parseInt(m.group(4));
    int desired = Integer.parseInt(m.group(5));
    try {
      return new ScheduleOption(
          m.group(1), ScheduledAction.of(m.group(1) + "@" + m.group(2), at, min, max, desired));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--schedule " + text + ": " + e.getMessage(), e);
    }
  }
}
