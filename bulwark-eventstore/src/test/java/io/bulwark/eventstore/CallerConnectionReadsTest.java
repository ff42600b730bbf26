package io.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.testkit.PostgresExtension;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reads on a caller's connection see the caller's transaction, a reader of some streams gets only
 * theirs in commit order, and the backlog counts what such a reader can and cannot read yet.
 */
class CallerConnectionReadsTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("eventstore");

  static PostgresEventStore store;

  @BeforeAll
  static void createStore() {
    store = PostgresEventStore.builder(pg.database().dataSource()).build();
  }

  static NewEvent event() {
    return NewEvent.of("Thing", Map.of("n", 1));
  }

  static String unique(String prefix) {
    return prefix + UUID.randomUUID();
  }

  @Test
  void readsAStreamInsideTheCallersTransactionIncludingItsUncommittedAppends() throws Exception {
    String stream = unique("tx-");
    store.append(stream, ExpectedVersion.NO_STREAM, event());
    try (Connection c = pg.database().dataSource().getConnection()) {
      c.setAutoCommit(false);
      store.append(c, stream, ExpectedVersion.exactly(1), List.of(event(), event()));

      assertThat(store.readStream(c, stream, 1, 100))
          .extracting(RecordedEvent::version)
          .containsExactly(1L, 2L, 3L);
      assertThat(store.readStream(c, stream, 3, 100)).hasSize(1);
      assertThat(store.readStream(stream, 1, 100)).as("other connections").hasSize(1);
      c.rollback();
    }
    assertThat(store.readStream(stream, 1, 100)).hasSize(1);
  }

  @Test
  void readsOnlyTheStreamsWithThePrefixInCommitOrderAndResumesAfterTheLastOneRead()
      throws Exception {
    String prefix = unique("p") + "-";
    LogPosition start = lastPosition();
    store.append(prefix + "a", ExpectedVersion.NO_STREAM, event());
    store.append(unique("other-"), ExpectedVersion.NO_STREAM, event());
    store.append(prefix + "b", ExpectedVersion.NO_STREAM, List.of(event(), event()));
    store.append(unique("other-"), ExpectedVersion.NO_STREAM, event());

    try (Connection c = pg.database().dataSource().getConnection()) {
      List<RecordedEvent> mine = store.readAll(c, start, 100, prefix);
      assertThat(mine)
          .extracting(RecordedEvent::stream)
          .containsExactly(prefix + "a", prefix + "b", prefix + "b");
      assertThat(mine).isSortedAccordingTo((x, y) -> x.logPosition().compareTo(y.logPosition()));

      List<RecordedEvent> first = store.readAll(c, start, 1, prefix);
      assertThat(store.readAll(c, first.getLast().logPosition(), 100, prefix))
          .containsExactlyElementsOf(mine.subList(1, 3));
      assertThat(store.readAll(c, start, 100, "")).hasSize(5);
    }
  }

  @Test
  void theBacklogCountsReadableEventsAndThoseHeldBackByAnOlderOpenTransaction() throws Exception {
    String prefix = unique("b") + "-";
    LogPosition start = lastPosition();
    store.append(prefix + "1", ExpectedVersion.NO_STREAM, event());
    store.append(unique("other-"), ExpectedVersion.NO_STREAM, event());
    try (Connection reader = pg.database().dataSource().getConnection()) {
      LogBacklog two = store.backlog(reader, start, prefix);
      assertThat(two.readable()).isEqualTo(1);
      assertThat(two.heldBack()).isZero();
      assertThat(two.last())
          .isEqualTo(store.readAll(reader, start, 10, prefix).getLast().logPosition());
      assertThat(store.backlog(reader, two.last(), prefix))
          .isEqualTo(new LogBacklog(0, 0, two.last()));

      try (Connection slow = pg.database().dataSource().getConnection()) {
        slow.setAutoCommit(false);
        store.append(slow, prefix + "slow", ExpectedVersion.NO_STREAM, List.of(event()));
        store.append(prefix + "2", ExpectedVersion.NO_STREAM, List.of(event(), event()));

        assertThat(store.backlog(reader, two.last(), prefix))
            .as("committed after the open transaction began, so held back")
            .isEqualTo(new LogBacklog(0, 2, two.last()));
        slow.commit();
      }
      LogBacklog after = store.backlog(reader, two.last(), prefix);
      assertThat(after.readable()).isEqualTo(3);
      assertThat(after.heldBack()).isZero();
      assertThat(after.last())
          .isEqualTo(store.readAll(reader, two.last(), 10, prefix).getLast().logPosition());
    }
  }

  @Test
  void aStoreWithoutADataSourceWorksOnCallersConnectionsAndRefusesToOpenItsOwn() throws Exception {
    PostgresEventStore onCallers = PostgresEventStore.builder().build();
    String stream = unique("own-");
    try (Connection c = pg.database().dataSource().getConnection()) {
      c.setAutoCommit(false);
      onCallers.append(c, stream, ExpectedVersion.NO_STREAM, List.of(event()));
      c.commit();
      assertThat(onCallers.readStream(c, stream, 1, 10)).hasSize(1);
    }
    assertThatThrownBy(() -> onCallers.readStream(stream, 1, 10))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no DataSource");
    assertThatThrownBy(() -> onCallers.append(stream, ExpectedVersion.ANY, event()))
        .isInstanceOf(IllegalStateException.class);
  }

  private static LogPosition lastPosition() {
    List<RecordedEvent> all = store.readAll(LogPosition.START, 10_000);
    return all.isEmpty() ? LogPosition.START : all.getLast().logPosition();
  }
}
