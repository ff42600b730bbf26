package io.bulwark.topology.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The seed's availability arithmetic and its reference table. */
class DowntimeBudgetTest {

  @Test
  void reproducesTheSeedsReferenceValues() {
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.9).minutesPerMonth()))
        .isEqualTo("43.8 minutes");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.95).minutesPerYear()))
        .isEqualTo("4.38 hours");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.95).minutesPerMonth()))
        .isEqualTo("21.9 minutes");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.99).minutesPerYear()))
        .isEqualTo("52.6 minutes");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.99).minutesPerMonth()))
        .isEqualTo("4.38 minutes");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.999).minutesPerYear()))
        .isEqualTo("5.26 minutes");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.999).minutesPerMonth()))
        .isEqualTo("26.3 seconds");
  }

  @Test
  void givesTheSeedsEightPointSevenSixHoursWithA365DayYear() {
    // The seed's table says 8.76 h for 99.9 %: that is 525.6 minutes, a 365-day year. Its own
    // code (365.25 days) gives 525.96 minutes = 8.766 h, which is 8.77 to three digits.
    assertThat(DowntimeBudget.of(99.9).minutesPerYear()).isEqualTo(525.96);
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.9).minutesPerYear()))
        .isEqualTo("8.77 hours");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.9, 365).minutesPerYear()))
        .isEqualTo("8.76 hours");
  }

  @Test
  void keepsEveryOtherReferenceValueWithA365DayYearToo() {
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.9, 365).minutesPerMonth()))
        .isEqualTo("43.8 minutes");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.95, 365).minutesPerYear()))
        .isEqualTo("4.38 hours");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.99, 365).minutesPerYear()))
        .isEqualTo("52.6 minutes");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.99, 365).minutesPerMonth()))
        .isEqualTo("4.38 minutes");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.999, 365).minutesPerYear()))
        .isEqualTo("5.26 minutes");
    assertThat(DowntimeBudget.format(DowntimeBudget.of(99.999, 365).minutesPerMonth()))
        .isEqualTo("26.3 seconds");
  }

  @Test
  void dividesTheYearAsTheSeedDoes() {
    DowntimeBudget b = DowntimeBudget.of(99.0);
    assertThat(b.minutesPerYear()).isEqualTo(5259.6);
    assertThat(b.minutesPerMonth()).isCloseTo(5259.6 / 12, within(1e-9));
    assertThat(b.minutesPerWeek()).isCloseTo(5259.6 / 52.18, within(1e-9));
    assertThat(b.minutesPerDay()).isCloseTo(5259.6 / 365.25, within(1e-9));
    assertThat(DowntimeBudget.weeksPerYear(365.25)).isEqualTo(52.18);
  }

  @Test
  void picksTheUnitThatReadsNaturally() {
    assertThat(DowntimeBudget.format(5259.6)).isEqualTo("3.65 days");
    assertThat(DowntimeBudget.format(1440)).isEqualTo("1.00 days");
    assertThat(DowntimeBudget.format(90)).isEqualTo("1.50 hours");
    assertThat(DowntimeBudget.format(59.999)).isEqualTo("1.00 hours");
    // rounds up into the next unit, where it is just under one: still "1.00", so that reading
    // it back and formatting again gives the same text (found by AvailabilityProperties)
    assertThat(DowntimeBudget.format(59.95)).isEqualTo("1.00 hours");
    assertThat(DowntimeBudget.format(59.96 / 60)).isEqualTo("1.00 minutes");
    assertThat(DowntimeBudget.format(1439.3)).isEqualTo("1.00 days");
    assertThat(DowntimeBudget.format(0.5)).isEqualTo("30.0 seconds");
    assertThat(DowntimeBudget.format(0)).isEqualTo("0 seconds");
  }

  @Test
  void labelsTheSeedsLevels() {
    assertThat(DowntimeBudget.of(99).label()).isEqualTo("2 nines – basic service");
    assertThat(DowntimeBudget.of(99.9).label())
        .isEqualTo("3 nines – standard business application");
    assertThat(DowntimeBudget.of(99.95).label())
        .isEqualTo("3.5 nines – important business application");
    assertThat(DowntimeBudget.of(99.99).label()).isEqualTo("4 nines – mission-critical service");
    assertThat(DowntimeBudget.of(99.999).label())
        .isEqualTo("5 nines – finance, healthcare and other most critical systems");
    assertThat(DowntimeBudget.of(99.97).label()).isEqualTo("between 3.5 nines and 4 nines");
    assertThat(DowntimeBudget.of(95).label()).isEqualTo("fewer than 2 nines");
    assertThat(DowntimeBudget.of(99.9999).label()).isEqualTo("more than 5 nines");
    assertThat(DowntimeBudget.of(99.99).nines()).isCloseTo(4.0, within(1e-9));
  }

  @Test
  void rejectsInputThatIsNotAPercentage() {
    assertThatThrownBy(() -> DowntimeBudget.parsePercent("101"))
        .hasMessage("availability must be a percentage between 0 and 100, got \"101\"");
    assertThatThrownBy(() -> DowntimeBudget.parsePercent("abc"))
        .hasMessage("availability must be a percentage like 99.99, got \"abc\"");
    assertThatThrownBy(() -> DowntimeBudget.parsePercent("-1"))
        .hasMessage("availability must be a percentage between 0 and 100, got \"-1\"");
    assertThatThrownBy(() -> DowntimeBudget.parsePercent("NaN"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(DowntimeBudget.parsePercent("99.95%")).isEqualTo(99.95);
    assertThatThrownBy(() -> DowntimeBudget.parsePercent("0.9999"))
        .hasMessageContaining("did you mean 99.99%?");
    assertThat(DowntimeBudget.parsePercent("0.5%")).isEqualTo(0.5);
  }
}
