package io.bulwark.topology;

import java.time.Duration;

/** Short forms of durations for messages and reports. */
public final class Durations {
  private Durations() {}

  /** The file form: 300s → {@code 5m}, 90s → {@code 90s}. */
  public static String format(Duration d) {
    return io.bulwark.topology.internal.Durations.format(d);
  }

  /** Words for people: {@code 90 seconds}, {@code 5 minutes}, {@code 2.5 hours}. */
  public static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    double s = ms / 1000.0;
    if (s < 120) {
      return trim(s) + (s == 1 ? " second" : " seconds");
    }
    double m = s / 60;
    if (m < 120) {
      return trim(m) + " minutes";
    }
    return trim(m / 60) + " hours";
  }

  /**
   * Parses a command-line duration such as {@code 5m}.
   *
   * @throws IllegalArgumentException naming the option and value when it is not a duration
   */
  public static Duration parse(String option, String text) {
    return io.bulwark.topology.internal.Durations.parse(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    option + ": expected a duration like 30s, 5m, 1h or 7d, got \"" + text + "\""));
  }

  private static String trim(double v) {
    double r = Math.round(v * 10) / 10.0;
    return r == Math.rint(r) ? String.valueOf((long) r) : String.valueOf(r);
  }
}
