package io.bulwark.fleet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GroupConfigTest {

  @Test
  void rejectsMaxBelowMin() {
    assertThatThrownBy(() -> GroupConfig.builder("web").size(3, 2, 2))
        .hasMessage("max must be >= min (3) but was 2");
  }

  @Test
  void rejectsAGroupWithoutZones() {
    assertThatThrownBy(() -> GroupConfig.builder("web").build())
        .hasMessage("zones must not be empty");
  }

  @Test
  void rejectsAPerRegionCountForARegionWithoutZones() {
    assertThatThrownBy(
            () -> GroupConfig.builder("web").zone(Zone.of("r1", "a")).perRegion("r2", 1).build())
        .hasMessageStartingWith("perRegion names region r2 but no zone is in it");
  }

  @Test
  void rejectsAMinimumHealthyShareAboveAHundred() {
    assertThatThrownBy(
            () ->
                GroupConfig.builder("web").zone(Zone.of("r1", "a")).minHealthyPercent(101).build())
        .hasMessage("minHealthyPercent must be between 0 and 100 but was 101");
  }

  @Test
  void rejectsAZeroGracePeriod() {
    assertThatThrownBy(
            () ->
                GroupConfig.builder("web")
                    .zone(Zone.of("r1", "a"))
                    .gracePeriod(Duration.ZERO)
                    .build())
        .hasMessage("gracePeriod must be > 0 but was PT0S");
  }
}
