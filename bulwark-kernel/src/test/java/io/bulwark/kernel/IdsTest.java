package io.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void producesVersion7IdsOrderedByTime() {
    UUID earlier = Ids.newId(Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC));
    UUID later = Ids.newId(Clock.fixed(Instant.ofEpochMilli(2_000), ZoneOffset.UTC));

    assertThat(earlier.version()).isEqualTo(7);
    assertThat(earlier.variant()).isEqualTo(2);
    assertThat(earlier.toString()).isLessThan(later.toString());
  }

  @Test
  void rejectsTrailingGarbageAndNamesTheProblem() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Json.parse("{\"a\":1} x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid JSON");
  }
}
