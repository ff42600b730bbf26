package io.bulwark.topology.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import org.junit.jupiter.api.Test;

class AvailabilityCommandTest {

  @Test
  void printsDowntimePerPeriodWithTheNinesLabel() {
    Run r = Run.of(new AvailabilityCommand(), "99.99");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("availability  99.99%  (4 nines – mission-critical service)")
        .contains("per year      52.6 minutes")
        .contains("per month     4.38 minutes")
        .contains("per week      1.01 minutes")
        .contains("per day       8.64 seconds");
  }

  @Test
  void showsSecondsWhereTheSeedDoes() {
    Run r = Run.of(new AvailabilityCommand(), "99.999");
    assertThat(r.out())
        .contains("per year      5.26 minutes")
        .contains("per month     26.3 seconds");
  }

  @Test
  void printsExactNumbersAsJson() {
    Run r = Run.of(new AvailabilityCommand(), "99.9", "--json");
    assertThat(r.exit()).isZero();
    JsonNode n = Json.parse(r.out());
    assertThat(n.get("downtime_minutes").get("year").asDouble()).isEqualTo(525.96);
    assertThat(n.get("downtime_minutes").get("month").asDouble()).isEqualTo(43.83);
    assertThat(n.get("downtime").get("month").asText()).isEqualTo("43.8 minutes");
    assertThat(n.get("label").asText()).isEqualTo("3 nines – standard business application");
  }

  @Test
  void namesTheSeedTableFigureWhereA365DayYearRoundsDifferently() {
    assertThat(Run.of(new AvailabilityCommand(), "99.9").out())
        .contains(
            "per year      8.77 hours  (8.76 hours on a 365-day year, as in the seed's table)");
    assertThat(Run.of(new AvailabilityCommand(), "99.99").out())
        .contains("per year      52.6 minutes\n");
  }

  @Test
  void reproducesTheClassicTableWithA365DayYear() {
    Run r = Run.of(new AvailabilityCommand(), "99.9", "--year-days", "365");
    assertThat(r.out()).contains("per year      8.76 hours").contains("per month     43.8 minutes");
  }

  @Test
  void rejectsBadInputWithExitTwoAndAClearMessage() {
    Run over = Run.of(new AvailabilityCommand(), "101");
    assertThat(over.exit()).isEqualTo(2);
    assertThat(over.err())
        .isEqualTo("bulwark: availability must be a percentage between 0 and 100, got \"101\"\n");
    Run word = Run.of(new AvailabilityCommand(), "abc");
    assertThat(word.exit()).isEqualTo(2);
    assertThat(word.err()).contains("availability must be a percentage like 99.99, got \"abc\"");
    Run negative = Run.of(new AvailabilityCommand(), "-1");
    assertThat(negative.exit()).isEqualTo(2);
    assertThat(negative.err()).contains("got \"-1\"");
    assertThat(negative.out()).isEmpty();
  }
}
