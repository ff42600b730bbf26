package io.bulwark.kernel;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Bulwark files and command lines write them: a whole number and one unit ({@code
 * 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}), and their short and human forms for
 * messages and reports. One way to read and write a duration everywhere: topology files, {@code
 * --rpo 5m}, {@code --ready-timeout 2m}.
 */
public final class Durations {

  /** The pattern a duration must match; also published in the topology's JSON Schema. */
  public static final String PATTERN = "^[0-9]+(ms|s|m|h|d)$";

  /** Longer durations (ten years) are taken for typos. */
  private static final long MAX_DAYS = 3650;

  private static final Pattern SYNTAX = Pattern.compile(PATTERN);

  private Durations() {}

  /**
   * Parses {@code 30s}, {@code 5m}, …, and a bare {@code 0} (zero needs no unit: an RPO of 0);
   * empty when the text is not a duration up to ten years.
   */
  public static Optional<Duration> parse(String text) {
    if (text.strip().equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    Matcher m = SYNTAX.matcher(text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    String digits = text.strip().substring(0, text.strip().length() - m.group(1).length());
    long n;
    try {
      n = Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (n > MAX_DAYS * 86_400_000L) {
      return Optional.empty();
    }
    Duration d =
        switch (m.group(1)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
    return d.compareTo(Duration.ofDays(MAX_DAYS)) > 0 ? Optional.empty() : Optional.of(d);
  }

  /**
   * Parses a command-line duration such as {@code 5m}.
   *
   * @throws IllegalArgumentException naming the option and value when it is not a duration
   */
  public static Duration parse(String option, String text) {
    return parse(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    option + ": expected a duration like 30s, 5m, 1h or 7d, got \"" + text + "\""));
  }

  /** Writes {@code d} in the largest unit that divides it exactly: 300s → 5m, 90s → 90s. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
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

  private static String trim(double v) {
    double r = Math.round(v * 10) / 10.0;
    return r == Math.rint(r) ? String.valueOf((long) r) : String.valueOf(r);
  }
}
