package io.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefreshingTest {

  @Test
  void readsOncePerIntervalAndAgainAfterIt() {
    AtomicLong now = new AtomicLong(0);
    AtomicInteger reads = new AtomicInteger();
    Refreshing<Integer> r =
        Refreshing.every(Duration.ofSeconds(1), reads::incrementAndGet, now::get);
    assertThat(r.get()).isEqualTo(1);
    now.set(999_999_999L);
    assertThat(r.get()).isEqualTo(1);
    now.set(1_000_000_000L);
    assertThat(r.get()).isEqualTo(2);
    assertThat(reads).hasValue(2);
  }

  @Test
  void aFailedReadIsTriedAgainNextTime() {
    AtomicInteger calls = new AtomicInteger();
    Refreshing<String> r =
        Refreshing.every(
            Duration.ofMinutes(1),
            () -> {
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("database down");
              }
              return "ok";
            },
            () -> 0L);
    assertThatThrownBy(r::get).hasMessage("database down");
    assertThat(r.get()).isEqualTo("ok");
  }

  @Test
  void refusesANonPositiveInterval() {
    assertThatThrownBy(() -> Refreshing.every(Duration.ZERO, () -> 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("interval");
  }
}
