package io.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CheckTest {

  @Test
  void acceptsAPositiveDurationAndNamesTheFieldOfAnyOther() {
    assertThat(Check.positive("lease", Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
    assertThatThrownBy(() -> Check.positive("lease", Duration.ZERO))
        .hasMessage("lease must be > 0 but was PT0S");
    assertThatThrownBy(() -> Check.positive("lease", null))
        .hasMessage("lease must be > 0 but was null");
  }

  @Test
  void acceptsTheBoundsOfARangeAndNamesTheFieldOutsideIt() {
    assertThat(Check.within("batchSize", 1, 1, 10)).isEqualTo(1);
    assertThat(Check.within("batchSize", 10, 1, 10)).isEqualTo(10);
    assertThatThrownBy(() -> Check.within("batchSize", 11, 1, 10))
        .hasMessage("batchSize must be in 1..10 but was 11");
  }
}
