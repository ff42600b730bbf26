package io.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void readsEachUnitAndRefusesWhatIsNotOneNumberAndOneUnit() {
    assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
    assertThat(Durations.parse(" 30s ")).contains(Duration.ofSeconds(30));
    assertThat(Durations.parse("5m")).contains(Duration.ofMinutes(5));
    assertThat(Durations.parse("1h")).contains(Duration.ofHours(1));
    assertThat(Durations.parse("7d")).contains(Duration.ofDays(7));
    assertThat(Durations.parse("0")).contains(Duration.ZERO); // zero needs no unit (--rpo 0)
    assertThat(Durations.parse("5")).isEmpty(); // any other number does
    assertThat(Durations.parse("30")).isEmpty();
    assertThat(Durations.parse("1.5h")).isEmpty();
    assertThat(Durations.parse("-5m")).isEmpty();
    assertThat(Durations.parse("5 m")).isEmpty();
    assertThat(Durations.parse("five")).isEmpty();
  }

  @Test
  void takesMoreThanTenYearsForATypo() {
    assertThat(Durations.parse("3650d")).contains(Duration.ofDays(3650));
    assertThat(Durations.parse("3651d")).isEmpty();
    assertThat(Durations.parse("99999999999999999999d")).isEmpty();
  }

  @Test
  void namesTheOptionAndValueOfABadCommandLineDuration() {
    assertThat(Durations.parse("--rpo", "5m")).isEqualTo(Duration.ofMinutes(5));
    assertThatThrownBy(() -> Durations.parse("--rpo", "five"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--rpo: expected a duration like 30s, 5m, 1h or 7d, got \"five\"");
  }

  @Test
  void writesTheLargestUnitThatDividesExactlyAndReadsItBack() {
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofSeconds(300))).isEqualTo("5m");
    assertThat(Durations.format(Duration.ofHours(48))).isEqualTo("2d");
    for (Duration d :
        new Duration[] {Duration.ofMillis(7), Duration.ofSeconds(61), Duration.ofMinutes(90)}) {
      assertThat(Durations.parse(Durations.format(d))).contains(d);
    }
  }

  @Test
  void saysDurationsInWordsForPeople() {
    assertThat(Durations.human(Duration.ofMillis(250))).isEqualTo("250 ms");
    assertThat(Durations.human(Duration.ofSeconds(1))).isEqualTo("1 second");
    assertThat(Durations.human(Duration.ofSeconds(90))).isEqualTo("90 seconds");
    assertThat(Durations.human(Duration.ofMinutes(5))).isEqualTo("5 minutes");
    assertThat(Durations.human(Duration.ofMinutes(150))).isEqualTo("2.5 hours");
  }
}
