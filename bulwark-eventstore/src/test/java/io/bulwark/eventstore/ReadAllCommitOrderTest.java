package io.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.testkit.PostgresExtension;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadAllCommitOrderTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("eventstore");

  static PostgresEventStore store;

  @BeforeAll
  static void createStore() {
    store = PostgresEventStore.builder(pg.database().dataSource()).build();
  }

  @Test
  void readersDoNotSeeLaterPositionsWhileAnEarlierTransactionIsStillOpen() throws Exception {
    AppendResult before = store.append("gap-before", ExpectedVersion.ANY, event());
    LogPosition seen = before.events().getFirst().logPosition();

    try (Connection slow = pg.database().dataSource().getConnection()) {
      slow.setAutoCommit(false);
      AppendResult held =
          store.append(slow, "gap-slow", ExpectedVersion.NO_STREAM, List.of(event()));
      AppendResult fast1 = store.append("gap-fast-1", ExpectedVersion.NO_STREAM, event());
      AppendResult fast2 = store.append("gap-fast-2", ExpectedVersion.NO_STREAM, event());
      assertThat(fast1.events().getFirst().position())
          .isGreaterThan(held.events().getFirst().position());
      assertThat(store.readStream("gap-fast-2", 1, 10)).hasSize(1);

      assertThat(store.readAll(seen, 100))
          .as("the fast transactions committed, but the slow one may still commit before them")
          .isEmpty();

      slow.commit();
      List<RecordedEvent> after = store.readAll(seen, 100);
      assertThat(after)
          .extracting(RecordedEvent::stream)
          .containsExactly("gap-slow", "gap-fast-1", "gap-fast-2");
      assertThat(after.get(1)).isEqualTo(fast1.events().getFirst());
      assertThat(after.get(2)).isEqualTo(fast2.events().getFirst());
    }
  }

  @Test
  void aRolledBackTransactionReleasesTheReadersAndLeavesNoEvents() throws Exception {
    LogPosition seen =
        store.append("rb-before", ExpectedVersion.ANY, event()).events().getFirst().logPosition();
    try (Connection doomed = pg.database().dataSource().getConnection()) {
      doomed.setAutoCommit(false);
      store.append(doomed, "rb-doomed", ExpectedVersion.NO_STREAM, List.of(event(), event()));
      store.append("rb-after", ExpectedVersion.NO_STREAM, event());
      assertThat(store.readAll(seen, 100)).isEmpty();
      doomed.rollback();
    }

    assertThat(store.readAll(seen, 100))
        .extracting(RecordedEvent::stream)
        .containsExactly("rb-after");
  }

  @Test
  void anOlderTransactionCannotAppendAfterAYoungerOneSoStreamsStayInVersionOrder()
      throws Exception {
    LogPosition seen =
        store
            .append("order-before", ExpectedVersion.ANY, event())
            .events()
            .getFirst()
            .logPosition();
    try (Connection older = pg.database().dataSource().getConnection()) {
      older.setAutoCommit(false);
      store.append(older, "order-other", ExpectedVersion.NO_STREAM, List.of(event()));
      store.append("order-shared", ExpectedVersion.NO_STREAM, event());

      assertThatThrownBy(
              () ->
                  store.append(older, "order-shared", ExpectedVersion.exactly(1), List.of(event())))
          .isInstanceOf(ConcurrentAppendException.class)
          .hasMessageStartingWith("append rejected: stream order-shared version 1 was written by");
      assertThatThrownBy(
              () -> store.append(older, "order-shared", ExpectedVersion.ANY, List.of(event())))
          .isInstanceOf(ConcurrentAppendException.class);
      store.append(older, "order-other", ExpectedVersion.exactly(1), List.of(event()));
      older.commit();
    }
    store.append("order-shared", ExpectedVersion.exactly(1), event());

    List<RecordedEvent> log = store.readAll(seen, 100);
    assertThat(log)
        .filteredOn(e -> e.stream().equals("order-shared"))
        .extracting(RecordedEvent::version)
        .containsExactly(1L, 2L);
    assertThat(log)
        .filteredOn(e -> e.stream().equals("order-other"))
        .extracting(RecordedEvent::version)
        .containsExactly(1L, 2L);
  }

  private static NewEvent event() {
    return NewEvent.of("Happened", Map.of());
  }
}
