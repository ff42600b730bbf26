package io.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bulwark.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OutboxTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("eventstore");

  static DataSource dataSource;

  @BeforeAll
  static void createTables() throws Exception {
    dataSource = pg.database().dataSource();
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement()) {
      st.execute("create table shipments (order_id text primary key)");
      st.execute("create table effects (consumer text, payload text)");
    }
  }

  @BeforeEach
  void emptyOutbox() throws Exception {
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement()) {
      st.execute("delete from eventstore_outbox");
    }
  }

  @Test
  void deliversOnlyMessagesWhoseBusinessTransactionCommitted() throws Exception {
    UUID committed;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      Outbox.enqueue(c, "orders", "o-1", "{\"rolled\":\"back\"}");
      c.rollback();
      committed = Outbox.enqueue(c, "orders", "o-2", "{\"id\":\"o-2\"}");
      c.commit();
    }
    List<OutboxMessage> received = new ArrayList<>();

    int delivered =
        OutboxRelay.builder(dataSource, MessageSink.oneAtATime(received::add)).build().relayOnce();

    assertThat(delivered).isEqualTo(1);
    assertThat(received)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.messageId()).isEqualTo(committed);
              assertThat(m.topic()).isEqualTo("orders");
              assertThat(m.key()).isEqualTo("o-2");
              assertThat(m.payload()).isEqualTo("{\"id\":\"o-2\"}");
            });
    assertThat(
            OutboxRelay.builder(dataSource, MessageSink.oneAtATime(received::add))
                .build()
                .relayOnce())
        .isZero();
  }

  @Test
  void refusesAnAutoCommitConnectionABlankTopicOrANulInThePayload() throws Exception {
    try (Connection c = dataSource.getConnection()) {
      assertThatThrownBy(() -> Outbox.enqueue(c, "orders", null, "{}"))
          .hasMessageContaining("autoCommit=false");
      c.setAutoCommit(false);
      assertThatThrownBy(() -> Outbox.enqueue(c, " ", null, "{}"))
          .hasMessageContaining("topic must be");
      assertThatThrownBy(() -> Outbox.enqueue(c, "orders", null, "nul\u0000byte"))
          .hasMessage("payload must not contain NUL characters or unpaired surrogates");
      Outbox.enqueue(c, "orders", "k", "still usable");
      c.rollback();
    }
  }

  @Test
  void retriesAFailedDeliveryWithBackoffKeepingLaterMessagesOfTheSameKeyBehindIt()
      throws Exception {
    enqueueCommitted("k", "first");
    enqueueCommitted("k", "second");
    enqueueCommitted("other", "independent");
    AtomicInteger failuresLeft = new AtomicInteger(2);
    List<String> received = new CopyOnWriteArrayList<>();
    MessageSink.PerMessage flaky =
        m -> {
          if (m.payload().equals("first") && failuresLeft.getAndDecrement() > 0) {
            throw new IllegalStateException("broker down");
          }
          received.add(m.payload());
        };

    OutboxRelay relay =
        OutboxRelay.builder(dataSource, MessageSink.oneAtATime(flaky))
            .pollInterval(Duration.ofMillis(5))
            .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(50), 2))
            .build()
            .start();
    try {
      await().until(() -> received.size() == 3);
    } finally {
      relay.close();
    }

    assertThat(received).containsSubsequence("first", "second");
    assertThat(received.getFirst()).isEqualTo("independent");
    assertThat(pending()).isZero();
  }

  @Test
  void handsTheWholeBatchToTheSinkAtOnceAndLeavesWhatItDidNotAttemptForTheNextRound()
      throws Exception {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(enqueueCommitted("k" + (i % 3), "m-" + i));
    }
    List<List<UUID>> batches = new CopyOnWriteArrayList<>();
    MessageSink sink =
        batch -> {
          List<UUID> batchIds = batch.stream().map(OutboxMessage::messageId).toList();
          batches.add(batchIds);
          if (batches.size() == 1) {
            // a pipelining sink: the first acknowledged, the second failed, the rest unknown
            return new DeliveryReport(
                Set.of(batchIds.get(0)),
                Map.of(batchIds.get(1), new IllegalStateException("broker down")));
          }
          return new DeliveryReport(Set.copyOf(batchIds), Map.of());
        };
    OutboxRelay relay =
        OutboxRelay.builder(dataSource, sink)
            .backoff(new Backoff(Duration.ofHours(1), Duration.ofHours(1), 2))
            .build();

    assertThat(relay.relayOnce()).isEqualTo(1);
    assertThat(batches).containsExactly(ids);
    assertThat(attemptsByMessage())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(ids.get(1), 1, ids.get(2), 0, ids.get(3), 0, ids.get(4), 0, ids.get(5), 0));

    assertThat(relay.relayOnce()).isEqualTo(3);
    // m-4 shares m-1's key and waits behind it; the others were not charged an attempt
    assertThat(batches.get(1)).containsExactly(ids.get(2), ids.get(3), ids.get(5));
    assertThat(attemptsByMessage())
        .containsExactlyInAnyOrderEntriesOf(Map.of(ids.get(1), 1, ids.get(4), 0));
  }

  @Test
  void severalRelaysWithAnIdempotentConsumerApplyEveryMessageExactlyOnce() throws Exception {
    Set<String> expected = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 200; i++) {
      expected.add(enqueueCommitted("key-" + (i % 7), "m-" + i).toString());
    }
    AtomicInteger crashes = new AtomicInteger(20);
    IdempotentConsumer consumer =
        IdempotentConsumer.of(
            dataSource,
            "shipping",
            (m, tx) -> {
              try (PreparedStatement st =
                  tx.prepareStatement("insert into effects values (?, ?)")) {
                st.setString(1, "shipping");
                st.setString(2, m.messageId().toString());
                st.executeUpdate();
              }
            });
    // Some deliveries apply the effect, then "crash" before the relay deletes the message: the
    // relay delivers them again and the consumer must recognise them.
    MessageSink.PerMessage crashAfterEffect =
        m -> {
          consumer.deliver(m);
          if (crashes.getAndDecrement() > 0) {
            throw new IllegalStateException("relay crashed after delivery");
          }
        };
    List<OutboxRelay> relays = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        relays.add(
            OutboxRelay.builder(dataSource, MessageSink.oneAtATime(crashAfterEffect))
                .batchSize(10)
                .pollInterval(Duration.ofMillis(5))
                .backoff(new Backoff(Duration.ofMillis(5), Duration.ofMillis(20), 2))
                .build()
                .start());
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> pending() == 0);
    } finally {
      relays.forEach(OutboxRelay::close);
    }

    Map<String, Integer> applied = effectCounts("shipping");
    assertThat(applied.keySet()).isEqualTo(expected);
    assertThat(applied.values()).allMatch(n -> n == 1);
  }

  @Test
  void anIdempotentConsumerAppliesADuplicateOnceAndRollsBackAFailedEffect() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    IdempotentConsumer consumer =
        IdempotentConsumer.of(
            dataSource,
            "billing",
            (m, tx) -> {
              try (PreparedStatement st =
                  tx.prepareStatement("insert into effects values (?, ?)")) {
                st.setString(1, "billing");
                st.setString(2, m.messageId().toString());
                st.executeUpdate();
              }
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("effect failed after writing");
              }
            });
    OutboxMessage message =
        new OutboxMessage(UUID.randomUUID(), "payments", null, "{}", java.time.Instant.now(), 0);

    assertThatThrownBy(() -> consumer.process(message)).hasMessage("effect failed after writing");
    assertThat(effectCounts("billing")).isEmpty();
    assertThat(consumer.process(message)).isTrue();
    assertThat(consumer.process(message)).isFalse();
    assertThat(effectCounts("billing")).containsOnly(Map.entry(message.messageId().toString(), 1));
  }

  private static UUID enqueueCommitted(String key, String payload) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      UUID id = Outbox.enqueue(c, "orders", key, payload);
      c.commit();
      return id;
    }
  }

  private static Map<UUID, Integer> attemptsByMessage() throws Exception {
    Map<UUID, Integer> out = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement();
        ResultSet rs = st.executeQuery("select message_id, attempts from eventstore_outbox")) {
      while (rs.next()) {
        out.put(rs.getObject(1, UUID.class), rs.getInt(2));
      }
    }
    return out;
  }

  private static long pending() throws Exception {
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from eventstore_outbox")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Map<String, Integer> effectCounts(String consumer) throws Exception {
    Map<String, Integer> counts = new ConcurrentHashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement("select payload from effects where consumer = ?")) {
      st.setString(1, consumer);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          counts.merge(rs.getString(1), 1, Integer::sum);
        }
      }
    }
    return counts;
  }
}
