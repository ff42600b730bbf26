package io.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.testkit.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresEventStoreTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("eventstore");

  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  static PostgresEventStore store;

  @BeforeAll
  static void createStore() throws Exception {
    try (Connection c = pg.database().dataSource().getConnection();
        var st = c.createStatement()) {
      st.execute("create table shop_orders (id text primary key, state text not null)");
    }
    store =
        PostgresEventStore.builder(pg.database().dataSource())
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .meterRegistry(registry)
            .upcaster(
                Upcaster.of(
                    "ItemAdded",
                    1,
                    data ->
                        ((ObjectNode) data)
                            .put("quantity", 1)
                            .put("sku", data.get("item").asText())))
            .upcaster(Upcaster.of("ItemAdded", 2, data -> ((ObjectNode) data).without("item")))
            .build();
  }

  @Test
  void appendsAndReadsAStreamWithAllMetadata() {
    NewEvent placed =
        NewEvent.builder("OrderPlaced")
            .data(Map.of("total", 42))
            .correlationId("req-1")
            .causationId("cmd-1")
            .build();
    AppendResult result =
        store.append(
            "order-meta",
            ExpectedVersion.NO_STREAM,
            List.of(placed, NewEvent.of("OrderPaid", Map.of())));

    assertThat(result.version()).isEqualTo(2);
    List<RecordedEvent> read = store.readStream("order-meta", 1, 100);
    assertThat(read).containsExactlyElementsOf(result.events());
    RecordedEvent first = read.getFirst();
    assertThat(first.eventId()).isEqualTo(placed.eventId());
    assertThat(first.eventId().version()).isEqualTo(7);
    assertThat(first.type()).isEqualTo("OrderPlaced");
    assertThat(first.stream()).isEqualTo("order-meta");
    assertThat(first.version()).isEqualTo(1);
    assertThat(first.schemaVersion()).isEqualTo(1);
    assertThat(first.recordedAt()).isEqualTo(NOW);
    assertThat(first.correlationId()).isEqualTo("req-1");
    assertThat(first.causationId()).isEqualTo("cmd-1");
    assertThat(first.dataTree().get("total").asInt()).isEqualTo(42);
    assertThat(read.get(1).position()).isGreaterThan(first.position());
    assertThat(read.get(1).correlationId()).isNull();
    assertThat(store.readStream("order-meta", 2, 100))
        .extracting(RecordedEvent::type)
        .containsExactly("OrderPaid");
    assertThat(store.readStream("order-meta", 1, 1)).hasSize(1);
    assertThat(store.streamVersion("order-meta")).isEqualTo(2);
  }

  @Test
  void rejectsAppendWhenVersionConflictsNamingStreamExpectedAndActual() {
    store.append(
        "order-42",
        ExpectedVersion.ANY,
        List.of(event(), event(), event(), event(), event(), event(), event(), event(), event()));

    assertThatThrownBy(() -> store.append("order-42", ExpectedVersion.exactly(7), event()))
        .isInstanceOfSatisfying(
            WrongExpectedVersionException.class,
            e -> {
              assertThat(e.stream()).isEqualTo("order-42");
              assertThat(e.actual()).isEqualTo(9);
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.extensions()).containsEntry("expectedVersion", 7L);
            })
        .hasMessage("append rejected: stream order-42 expected version 7, found 9");
    assertThat(store.streamVersion("order-42")).isEqualTo(9);
    assertThat(store.readStream("order-42", 1, 100)).hasSize(9);
  }

  @Test
  void noStreamRejectsAnExistingStreamAndExactRejectsAMissingOne() {
    store.append("order-new", ExpectedVersion.NO_STREAM, event());

    assertThatThrownBy(() -> store.append("order-new", ExpectedVersion.NO_STREAM, event()))
        .hasMessage("append rejected: stream order-new expected no stream, found 1");
    assertThatThrownBy(() -> store.append("order-missing", ExpectedVersion.exactly(3), event()))
        .hasMessage("append rejected: stream order-missing expected version 3, found no stream");
    assertThat(store.append("order-new", ExpectedVersion.exactly(1), event()).version())
        .isEqualTo(2);
    assertThat(store.append("order-new", ExpectedVersion.ANY, event()).version()).isEqualTo(3);
    assertThat(store.append("order-any", ExpectedVersion.ANY, event()).version()).isEqualTo(1);
  }

  @Test
  void appendOnTheCallersTransactionCommitsAndRollsBackWithItsStateChanges() throws Exception {
    try (Connection c = pg.database().dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertOrder(c, "order-tx-1");
      store.append(c, "order-tx-1", ExpectedVersion.NO_STREAM, List.of(event()));
      c.rollback();
      insertOrder(c, "order-tx-2");
      store.append(c, "order-tx-2", ExpectedVersion.NO_STREAM, List.of(event()));
      c.commit();
    }

    assertThat(store.readStream("order-tx-1", 1, 10)).isEmpty();
    assertThat(store.streamVersion("order-tx-1")).isZero();
    assertThat(orderExists("order-tx-1")).isFalse();
    assertThat(store.readStream("order-tx-2", 1, 10)).hasSize(1);
    assertThat(orderExists("order-tx-2")).isTrue();
  }

  @Test
  void aConflictOnTheCallersTransactionLeavesItUsable() throws Exception {
    store.append("order-busy", ExpectedVersion.ANY, List.of(event(), event()));
    try (Connection c = pg.database().dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertOrder(c, "order-busy-state");
      assertThatThrownBy(
              () -> store.append(c, "order-busy", ExpectedVersion.exactly(1), List.of(event())))
          .hasMessage("append rejected: stream order-busy expected version 1, found 2");
      store.append(c, "order-busy", ExpectedVersion.exactly(2), List.of(event(), event()));
      c.commit();
    }

    assertThat(store.streamVersion("order-busy")).isEqualTo(4);
    assertThat(orderExists("order-busy-state")).isTrue();
  }

  @Test
  void refusesTheCallersConnectionInAutoCommitMode() throws Exception {
    try (Connection c = pg.database().dataSource().getConnection()) {
      assertThatThrownBy(() -> store.append(c, "order-auto", ExpectedVersion.ANY, List.of(event())))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("autoCommit=false");
    }
  }

  @Test
  void rejectsBadInputWithoutWriting() {
    assertThatThrownBy(() -> store.append(" ", ExpectedVersion.ANY, event()))
        .hasMessageContaining("stream must be 1..200 non-blank characters");
    assertThatThrownBy(() -> store.append("order-empty", ExpectedVersion.ANY, List.of()))
        .hasMessageContaining("events must not be empty");
    assertThatThrownBy(() -> store.readStream("order-x", 1, 0)).hasMessageContaining("max must be");
    assertThatThrownBy(() -> ExpectedVersion.exactly(-3)).hasMessageContaining("-3");
    assertThatThrownBy(() -> NewEvent.builder("X").json("{nope"))
        .hasMessageContaining("invalid JSON");
    assertThat(store.streamVersion("order-empty")).isZero();
  }

  @Test
  void aDuplicateEventIdRollsBackTheWholeAppend() {
    UUID id = UUID.randomUUID();
    store.append("order-dup-1", ExpectedVersion.ANY, NewEvent.builder("A").eventId(id).build());

    assertThatThrownBy(
            () ->
                store.append(
                    "order-dup-2",
                    ExpectedVersion.NO_STREAM,
                    List.of(event(), NewEvent.builder("A").eventId(id).build())))
        .isInstanceOf(StorageException.class);
    assertThat(store.streamVersion("order-dup-2")).isZero();
    assertThat(store.readStream("order-dup-2", 1, 10)).isEmpty();
  }

  @Test
  void aFailedAppendOnTheCallersTransactionLeavesItUsable() throws Exception {
    UUID id = UUID.randomUUID();
    store.append("order-dup-3", ExpectedVersion.ANY, NewEvent.builder("A").eventId(id).build());
    try (Connection c = pg.database().dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertOrder(c, "order-dup-state");
      assertThatThrownBy(
              () ->
                  store.append(
                      c,
                      "order-dup-4",
                      ExpectedVersion.NO_STREAM,
                      List.of(NewEvent.builder("A").eventId(id).build())))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("eventstore_events_event_id_key");
      store.append(c, "order-dup-4", ExpectedVersion.NO_STREAM, List.of(event()));
      c.commit();
    }

    assertThat(orderExists("order-dup-state")).isTrue();
    assertThat(store.streamVersion("order-dup-4")).isEqualTo(1);
  }

  @Test
  void appendsLargeBatchesInOrderWithConsecutiveVersions() {
    for (int size : new int[] {2, 64, 65, 300}) {
      List<NewEvent> events = new java.util.ArrayList<>();
      for (int i = 0; i < size; i++) {
        events.add(NewEvent.builder("Line").data(Map.of("i", i)).correlationId("c" + i).build());
      }
      String stream = "batch-" + size;
      AppendResult result = store.append(stream, ExpectedVersion.NO_STREAM, events);

      List<RecordedEvent> read = store.readStream(stream, 1, 10_000);
      assertThat(read).containsExactlyElementsOf(result.events());
      assertThat(read)
          .extracting(RecordedEvent::eventId)
          .containsExactlyElementsOf(events.stream().map(NewEvent::eventId).toList());
      assertThat(read)
          .extracting(RecordedEvent::version)
          .containsExactlyElementsOf(
              java.util.stream.LongStream.rangeClosed(1, size).boxed().toList());
      assertThat(read.getLast().correlationId()).isEqualTo("c" + (size - 1));
      assertThat(
              store
                  .append(stream, ExpectedVersion.exactly(size), List.of(event(), event()))
                  .version())
          .isEqualTo(size + 2);
    }
  }

  @Test
  void upcastsOldSchemaVersionsOnReadThroughTheWholeChain() {
    store.append(
        "cart-1",
        ExpectedVersion.NO_STREAM,
        List.of(
            NewEvent.builder("ItemAdded").json("{\"item\":\"apple\"}").build(),
            NewEvent.builder("ItemAdded")
                .schemaVersion(3)
                .json("{\"sku\":\"pear\",\"quantity\":2}")
                .build()));

    List<RecordedEvent> read = store.readStream("cart-1", 1, 10);

    assertThat(read).extracting(RecordedEvent::schemaVersion).containsExactly(3, 3);
    assertThat(read.getFirst().dataTree().toString())
        .isEqualTo("{\"quantity\":1,\"sku\":\"apple\"}");
    assertThat(read.get(1).dataTree().get("sku").asText()).isEqualTo("pear");
  }

  @Test
  void refusesTwoUpcastersForTheSameTypeAndSchemaVersion() {
    assertThatThrownBy(
            () ->
                PostgresEventStore.builder(pg.database().dataSource())
                    .upcaster(Upcaster.of("ItemAdded", 1, d -> d))
                    .upcaster(Upcaster.of("ItemAdded", 1, d -> d))
                    .build())
        .hasMessage("two upcasters for ItemAdded from schema version 1; register one");
  }

  @Test
  void backoffGrowsByItsMultiplierUpToItsMaximumAndRefusesNonsense() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 3);

    assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(300));
    assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(900));
    assertThat(backoff.delay(4)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delay(1_000)).isEqualTo(Duration.ofSeconds(1));
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2))
        .hasMessage("max must be >= initial (PT2S) but was PT1S");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5))
        .hasMessage("multiplier must be >= 1 but was 0.5");
  }

  @Test
  void readAllReturnsEveryCommittedEventInCommitOrderAndResumesAfterAPosition() {
    AppendResult a = store.append("all-a", ExpectedVersion.ANY, List.of(event(), event()));
    AppendResult b = store.append("all-b", ExpectedVersion.ANY, event());

    List<RecordedEvent> all = readEverything();
    assertThat(all).containsSubsequence(a.events().get(0), a.events().get(1), b.events().get(0));
    assertThat(all).isSortedAccordingTo((x, y) -> x.logPosition().compareTo(y.logPosition()));
    LogPosition afterFirst = a.events().getFirst().logPosition();
    assertThat(store.readAll(afterFirst, 10_000)).startsWith(a.events().get(1), b.events().get(0));
  }

  @Test
  void countsAppendsConflictsLatencyAndReads() {
    double appends = registry.get("bulwark.eventstore.appends").counter().count();
    double conflicts = registry.get("bulwark.eventstore.conflicts").counter().count();
    double read = registry.get("bulwark.eventstore.events.read").counter().count();

    store.append("metrics-1", ExpectedVersion.NO_STREAM, List.of(event(), event()));
    assertThatThrownBy(() -> store.append("metrics-1", ExpectedVersion.NO_STREAM, event()));
    store.readStream("metrics-1", 1, 10);

    assertThat(registry.get("bulwark.eventstore.appends").counter().count()).isEqualTo(appends + 1);
    assertThat(registry.get("bulwark.eventstore.conflicts").counter().count())
        .isEqualTo(conflicts + 1);
    assertThat(registry.get("bulwark.eventstore.events.read").counter().count())
        .isEqualTo(read + 2);
    assertThat(registry.get("bulwark.eventstore.append.latency").timer().count()).isPositive();
  }

  private static List<RecordedEvent> readEverything() {
    return store.readAll(LogPosition.START, 10_000);
  }

  private static NewEvent event() {
    return NewEvent.of("Something", Map.of("n", 1));
  }

  private static void insertOrder(Connection c, String id) throws Exception {
    try (PreparedStatement st = c.prepareStatement("insert into shop_orders values (?, 'new')")) {
      st.setString(1, id);
      st.executeUpdate();
    }
  }

  private static boolean orderExists(String id) throws Exception {
    try (Connection c = pg.database().dataSource().getConnection();
        PreparedStatement st = c.prepareStatement("select 1 from shop_orders where id = ?")) {
      st.setString(1, id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next();
      }
    }
  }
}
