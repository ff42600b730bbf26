package io.bulwark.topology.analysis;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Downtime allowed by an availability percentage, computed as the seed does: minutes per year =
 * 365.25 × 24 × 60, per month = year / 12, per week = year / 52.18, per day = year / 365.25.
 *
 * @param percent availability in percent, 0 to 100
 * @param yearDays days in a year (365.25 as the seed; 365 reproduces the classic tables)
 * @param minutesPerYear downtime per year in minutes
 * @param minutesPerMonth downtime per month (year / 12)
 * @param minutesPerWeek downtime per week (year / weeks per year, 52.18 for 365.25 days)
 * @param minutesPerDay downtime per day (year / days per year)
 */
public record DowntimeBudget(
    double percent,
    double yearDays,
    double minutesPerYear,
    double minutesPerMonth,
    double minutesPerWeek,
    double minutesPerDay) {

  /** The seed's year: 365.25 days. */
  public static final double SEED_YEAR_DAYS = 365.25;

  private static final MathContext THREE_DIGITS = new MathContext(3, RoundingMode.HALF_UP);

  /** The seed's reference levels, lowest first. */
  public static final List<Level> LEVELS =
      List.of(
          new Level(99.0, "2 nines", "basic service"),
          new Level(99.9, "3 nines", "standard business application"),
          new Level(99.95, "3.5 nines", "important business application"),
          new Level(99.99, "4 nines", "mission-critical service"),
          new Level(99.999, "5 nines", "finance, healthcare and other most critical systems"));

  /** A labelled availability level. */
  public record Level(double percent, String nines, String meaning) {
    /** E.g. "4 nines – mission-critical service". */
    public String label() {
      return nines + " – " + meaning;
    }
  }

  public DowntimeBudget {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException(
          "availability must be a percentage between 0 and 100, got " + percent);
    }
    if (!(yearDays >= 360 && yearDays <= 366)) {
      throw new IllegalArgumentException(
          "days per year must be between 360 and 366, got " + yearDays);
    }
  }

  /** The budget for {@code percent} over a 365.25-day year. */
  public static DowntimeBudget of(double percent) {
    return of(percent, SEED_YEAR_DAYS);
  }

  /** The budget for {@code percent} over a year of {@code yearDays} days. */
  public static DowntimeBudget of(double percent, double yearDays) {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException(
          "availability must be a percentage between 0 and 100, got " + percent);
    }
    // decimal arithmetic so 99.9 % gives exactly 525.96 minutes, not 525.9599999999701
    BigDecimal days = BigDecimal.valueOf(yearDays);
    BigDecimal year =
        days.multiply(BigDecimal.valueOf(1440))
            .multiply(BigDecimal.valueOf(100).subtract(BigDecimal.valueOf(percent)))
            .divide(BigDecimal.valueOf(100));
    MathContext mc = MathContext.DECIMAL64;
    return new DowntimeBudget(
        percent,
        yearDays,
        year.doubleValue(),
        year.divide(BigDecimal.valueOf(12), mc).doubleValue(),
        year.divide(BigDecimal.valueOf(weeksPerYear(yearDays)), mc).doubleValue(),
        year.divide(days, mc).doubleValue());
  }

  /**
   * Parses user input such as {@code 99.99} or {@code 99.99%}.
   *
   * @throws IllegalArgumentException naming the input when it is not a percentage in [0, 100]
   */
  public static double parsePercent(String text) {
    String t = text.strip();
    if (t.endsWith("%")) {
      t = t.substring(0, t.length() - 1).strip();
    }
    double v;
    try {
      v = Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "availability must be a percentage like 99.99, got \"" + text + "\"", e);
    }
    if (!(v >= 0 && v <= 100) || t.matches("(?i).*[a-z].*")) {
      throw new IllegalArgumentException(
          "availability must be a percentage between 0 and 100, got \"" + text + "\"");
    }
    if (v > 0 && v < 1 && !text.strip().endsWith("%")) { // a fraction, as SLO tools write it
      throw new IllegalArgumentException(
          "availability is a percentage: "
              + text.strip()
              + " means "
              + text.strip()
              + "%; did you mean "
              + java.math.BigDecimal.valueOf(v * 100).stripTrailingZeros().toPlainString()
              + "%? (write "
              + text.strip()
              + "% if you meant it)");
    }
    return v;
  }

  /** Weeks per year: days / 7 to two decimals (52.18 for the seed's 365.25 days). */
  public static double weeksPerYear(double yearDays) {
    return BigDecimal.valueOf(yearDays / 7).setScale(2, RoundingMode.HALF_UP).doubleValue();
  }

  /** Number of nines: −log10(1 − percent/100), e.g. 4.0 for 99.99; infinite for 100. */
  public double nines() {
    return -Math.log10((100 - percent) / 100);
  }

  /**
   * The seed's label for the level: exact levels read like "4 nines – mission-critical service",
   * others "between 3.5 nines and 4 nines".
   */
  public String label() {
    Optional<Level> exact =
        LEVELS.stream().filter(l -> Math.abs(l.percent() - percent) < 1e-9).findFirst();
    if (exact.isPresent()) {
      return exact.get().label();
    }
    if (percent == 100) {
      return "100% – no downtime allowed";
    }
    if (percent < LEVELS.get(0).percent()) {
      return "fewer than 2 nines";
    }
    Level last = LEVELS.get(LEVELS.size() - 1);
    if (percent > last.percent()) {
      return "more than " + last.nines();
    }
    for (int i = 0; i < LEVELS.size() - 1; i++) {
      if (percent < LEVELS.get(i + 1).percent()) {
        return "between " + LEVELS.get(i).nines() + " and " + LEVELS.get(i + 1).nines();
      }
    }
    return last.label();
  }

  /**
   * Minutes as a person reads them: three significant digits in days (from 1440 minutes), hours
   * (from 60), minutes (from 1) or seconds, e.g. {@code 8.77 hours}, {@code 26.3 seconds}.
   */
  public static String format(double minutes) {
    if (!(minutes >= 0) || Double.isInfinite(minutes)) {
      throw new IllegalArgumentException("minutes must be a finite number >= 0, got " + minutes);
    }
    if (minutes == 0) {
      return "0 seconds";
    }
    Unit[] units = Unit.values();
    int u = units.length - 1;
    while (u > 0 && minutes < units[u].minutes) {
      u--;
    }
    BigDecimal shown = round(minutes / units[u].minutes);
    // rounding may reach the next unit (59.97 minutes → 60.0): then say it in that unit
    if (u < units.length - 1 && shown.doubleValue() * units[u].minutes >= units[u + 1].minutes) {
      u++;
      // ... as at least one of it: 59.95 minutes is "1.00 hours", never "0.999 hours", which
      // would read back as 59.9 minutes
      shown = round(Math.max(1, minutes / units[u].minutes));
    }
    return shown.toPlainString() + " " + units[u].word;
  }

  /**
   * Reads what {@link #format} writes back into minutes.
   *
   * @throws IllegalArgumentException when the text is not a number and a unit
   */
  public static double parse(String text) {
    String[] parts = text.strip().split("\\s+");
    if (parts.length == 2) {
      for (Unit unit : Unit.values()) {
        if (unit.word.equals(parts[1].toLowerCase(Locale.ROOT))) {
          try {
            return Double.parseDouble(parts[0]) * unit.minutes;
          } catch (NumberFormatException e) {
            break;
          }
        }
      }
    }
    throw new IllegalArgumentException(
        "expected a duration like \"8.77 hours\", got \"" + text + "\"");
  }

  private static BigDecimal round(double value) {
    BigDecimal r = BigDecimal.valueOf(value).round(THREE_DIGITS);
    // keep three significant digits visible: 8 hours reads "8.00 hours"
    return r.precision() < 3 ? r.setScale(r.scale() + 3 - r.precision()) : r;
  }

  private enum Unit {
    SECONDS(1.0 / 60, "seconds"),
    MINUTES(1, "minutes"),
    HOURS(60, "hours"),
    DAYS(1440, "days");

    final double minutes;
    final String word;

    Unit(double minutes, String word) {
      this.minutes = minutes;
      this.word = word;
    }
  }
}
