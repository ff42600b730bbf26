package io.bulwark.fleet.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArrivalProfileTest {

  static final ArrivalProfile BLACK_FRIDAY =
      ArrivalProfile.of(
          List.of(
              new ArrivalProfile.Phase("baseline", Duration.ofSeconds(10), 4, 4),
              new ArrivalProfile.Phase("ramp-up", Duration.ofSeconds(10), 4, 200),
              new ArrivalProfile.Phase("peak", Duration.ofSeconds(10), 200, 200)));

  @Test
  void countsTheArrivalsOfEveryPhase() {
    // 40 at the baseline, (4 + 200) / 2 * 10 on the ramp, 2,000 at the peak
    assertThat(BLACK_FRIDAY.total()).isEqualTo(40 + 1020 + 2000);
    assertThat(BLACK_FRIDAY.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(BLACK_FRIDAY.startOf("peak")).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void arrivalsFollowTheRate() {
    assertThat(BLACK_FRIDAY.offsetNanos(0)).isZero();
    assertThat(BLACK_FRIDAY.offsetNanos(4) / 1e9).isCloseTo(1.0, within(1e-9));
    assertThat(BLACK_FRIDAY.offsetNanos(40) / 1e9).isCloseTo(10.0, within(1e-9));
    assertThat(BLACK_FRIDAY.offsetNanos(1060) / 1e9).isCloseTo(20.0, within(1e-6));
    assertThat(BLACK_FRIDAY.offsetNanos(1060 + 1000) / 1e9).isCloseTo(25.0, within(1e-6));
    // half-way up the ramp (rate 102/s): 4 * 5 + 196 * 5 * 5 / 20 = 265 arrivals into it
    assertThat(BLACK_FRIDAY.rateAt(15)).isCloseTo(102, within(1e-9));
    assertThat(BLACK_FRIDAY.offsetNanos(40 + 265) / 1e9).isCloseTo(15.0, within(1e-6));
    long previous = -1;
    for (long n = 0; n < BLACK_FRIDAY.total(); n++) {
      long t = BLACK_FRIDAY.offsetNanos(n);
      assertThat(t).isGreaterThanOrEqualTo(previous);
      previous = t;
    }
    assertThat(BLACK_FRIDAY.phaseAt(12).name()).isEqualTo("ramp-up");
    assertThat(BLACK_FRIDAY.rateAt(31)).isZero();
  }

  @Test
  void refusesPhasesWithoutTimeOrRate() {
    assertThatThrownBy(() -> new ArrivalProfile.Phase("x", Duration.ZERO, 1, 1))
        .hasMessageContaining("duration of x");
    assertThatThrownBy(() -> new ArrivalProfile.Phase("y", Duration.ofSeconds(1), 0, 1))
        .hasMessageContaining("phase y");
    assertThatThrownBy(() -> ArrivalProfile.of(List.of())).hasMessageContaining("at least one");
  }
}
