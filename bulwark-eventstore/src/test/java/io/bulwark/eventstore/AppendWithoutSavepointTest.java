package io.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bulwark.testkit.PostgresExtension;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A store built with {@code savepoints(false)} appends on a caller's transaction without a
 * savepoint: it behaves the same when the append succeeds, and a conflict rolls back the caller's
 * whole transaction instead of only the append, never retrying it in a new one.
 */
class AppendWithoutSavepointTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("eventstore");

  static PostgresEventStore store;
  static PostgresEventStore plain;

  @BeforeAll
  static void createStores() {
    store = PostgresEventStore.builder(pg.database().dataSource()).savepoints(false).build();
    plain = PostgresEventStore.builder(pg.database().dataSource()).build();
  }

  static NewEvent event() {
    return NewEvent.of("Thing", Map.of("n", 1));
  }

  @Test
  void appendsInTheCallersTransactionLikeAStoreWithSavepoints() throws Exception {
    String stream = "nosp-" + UUID.randomUUID();
    try (Connection c = pg.database().dataSource().getConnection()) {
      c.setAutoCommit(false);
      store.append(c, stream, ExpectedVersion.NO_STREAM, List.of(event()));
      AppendResult second = store.append(c, stream, ExpectedVersion.exactly(1), List.of(event()));
      assertThat(second.version()).isEqualTo(2);
      c.commit();
    }
    assertThat(plain.readStream(stream, 1, 10))
        .extracting(RecordedEvent::version)
        .containsExactly(1L, 2L);
  }

  @Test
  void aConflictRollsBackTheCallersWholeTransactionAndNamesTheVersionFound() throws Exception {
    String stream = "nosp-" + UUID.randomUUID();
    String mine = "nosp-mine-" + UUID.randomUUID();
    plain.append(stream, ExpectedVersion.NO_STREAM, event());
    try (Connection c = pg.database().dataSource().getConnection()) {
      c.setAutoCommit(false);
      store.append(c, mine, ExpectedVersion.NO_STREAM, List.of(event()));
      assertThatThrownBy(() -> store.append(c, stream, ExpectedVersion.NO_STREAM, List.of(event())))
          .isInstanceOf(WrongExpectedVersionException.class)
          .satisfies(e -> assertThat(((WrongExpectedVersionException) e).actual()).isEqualTo(1));
      c.commit();
    }
    assertThat(plain.streamVersion(mine)).as("rolled back with the conflict").isZero();
    assertThat(plain.streamVersion(stream)).isEqualTo(1);
  }

  @Test
  void anAnyAppendThatLosesARaceIsNotRetriedOutsideTheCallersTransaction() throws Exception {
    String stream = "nosp-any-" + UUID.randomUUID();
    try (Connection winner = pg.database().dataSource().getConnection();
        Connection loser = pg.database().dataSource().getConnection()) {
      winner.setAutoCommit(false);
      loser.setAutoCommit(false);
      plain.append(winner, stream, ExpectedVersion.ANY, List.of(event()));
      var race =
          CompletableFuture.supplyAsync(
              () -> store.append(loser, stream, ExpectedVersion.ANY, List.of(event())));
      await().atMost(Duration.ofSeconds(10)).until(() -> waiting() > 0);
      winner.commit();
      assertThatThrownBy(race::join)
          .hasCauseInstanceOf(ConcurrentAppendException.class)
          .satisfies(
              e ->
                  assertThat(e.getCause().getCause())
                      .as("the unique violation the conflict was found from")
                      .isInstanceOf(java.sql.SQLException.class));
      loser.rollback();
    }
    assertThat(plain.streamVersion(stream)).isEqualTo(1);
  }

  private static long waiting() throws Exception {
    try (Connection c = pg.database().dataSource().getConnection();
        var s = c.createStatement();
        var rs =
            s.executeQuery(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname"
                    + " = current_database()")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
