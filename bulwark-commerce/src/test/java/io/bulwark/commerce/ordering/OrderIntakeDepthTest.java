package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.commerce.CommerceException;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How the intake estimates its depth between readings, and how it paces them. */
class OrderIntakeDepthTest {

  final AtomicLong inDatabase = new AtomicLong();
  final MockClock clock = new MockClock();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);

  @Test
  void countsItsOwnAdmissionsUntilTheirTransactionsHaveEndedBeforeAReading() {
    OrderIntake intake = new OrderIntake(2, 0, inDatabase::get, registry);
    OrderIntake.Admission first = intake.admit(false);
    OrderIntake.Admission second = intake.admit(false);
    assertThat(intake.depth()).isEqualTo(2);

    intake.refresh(); // neither has committed yet: the database shows none
    assertThat(intake.depth()).isEqualTo(2);
    assertThatThrownBy(() -> intake.admit(false))
        .isInstanceOf(CommerceException.Unavailable.class)
        .hasMessageContaining("2 orders queued, capacity 2");

    first.close();
    second.close();
    second.close(); // closing twice settles once
    inDatabase.set(2);
    intake.refresh();
    assertThat(intake.depth()).isEqualTo(2);
    inDatabase.set(0); // their sagas got past the first state
    intake.refresh();
    assertThat(intake.depth()).isZero();
    assertThat(registry.get("bulwark.orders.rejected").counter().count()).isEqualTo(1);
  }

  @Test
  void keepsHeadroomForVipsRoundedUp() {
    OrderIntake intake = new OrderIntake(3, 10, () -> 3, registry);
    intake.refresh();
    assertThat(intake.vipCapacity()).isEqualTo(4);
    assertThatThrownBy(() -> intake.admit(false)).isInstanceOf(CommerceException.Unavailable.class);
    intake.admit(true).close();
    assertThatThrownBy(() -> intake.admit(true))
        .isInstanceOf(CommerceException.Unavailable.class)
        .hasMessageContaining("capacity 4 for VIP customers");
  }

  @Test
  void readsLessOftenWhenAReadingTakesLong() {
    AtomicLong readingMillis = new AtomicLong(1);
    OrderIntake intake =
        new OrderIntake(
            10,
            10,
            () -> {
              clock.add(Duration.ofMillis(readingMillis.get()));
              return 0;
            },
            registry);
    assertThat(intake.refresh()).isEqualTo(OrderIntake.REFRESH_INTERVAL);
    readingMillis.set(100);
    assertThat(intake.refresh()).isEqualTo(Duration.ofMillis(900));
  }

  @Test
  void refusesABadCapacityOrHeadroomNamingIt() {
    assertThatThrownBy(() -> new OrderIntake(0, 10, () -> 0, registry))
        .hasMessageContaining("intakeCapacity");
    assertThatThrownBy(() -> new OrderIntake(5, 101, () -> 0, registry))
        .hasMessageContaining("vipHeadroomPercent");
  }
}
