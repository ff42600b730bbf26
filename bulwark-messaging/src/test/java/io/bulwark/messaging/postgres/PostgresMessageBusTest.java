package io.bulwark.messaging.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.eventstore.Backoff;
import io.bulwark.eventstore.IdempotentConsumer;
import io.bulwark.messaging.BusOptions;
import io.bulwark.messaging.DeadLetter;
import io.bulwark.messaging.Redelivery;
import io.bulwark.testkit.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresMessageBusTest {

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.migrating("eventstore", "messaging");

  static DataSource dataSource;

  @BeforeAll
  static void tables() throws Exception {
    dataSource = pg.database().dataSource();
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement()) {
      st.execute("create table effects (consumer text not null, message_id uuid not null)");
    }
  }

  @BeforeEach
  void empty() throws Exception {
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement()) {
      st.execute(
          "delete from effects; delete from eventstore_outbox; delete from messaging_dead_letters;"
              + " delete from eventstore_processed_messages");
    }
  }

  @Test
  void deliversCommittedMessagesToEveryConsumerOnceAndRolledBackOnesToNone() throws Exception {
    PostgresDeadLetterQueue dlq = PostgresDeadLetterQueue.of(dataSource);
    List<UUID> committed = new ArrayList<>();
    try (PostgresMessageBus bus =
        PostgresMessageBus.of(
            dataSource, dlq, BusOptions.builder().pollInterval(Duration.ofMillis(10)).build())) {
      bus.subscribe("bulwark.orders", "shipping", record("shipping"));
      bus.subscribe("bulwark.orders", "billing", record("billing"));
      bus.subscribe("bulwark.inventory", "shipping", record("shipping"));
      bus.start();
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        bus.publish(c, "bulwark.orders", "o-1", "{\"rolled\":\"back\"}");
        c.rollback();
        for (int i = 0; i < 20; i++) {
          committed.add(bus.publish(c, "bulwark.orders", "o-" + (i % 3), "{\"n\":" + i + "}"));
          c.commit();
        }
        committed.add(bus.publish(c, "bulwark.inventory", "BOOK-1", "{}"));
        c.commit();
      }
      await().until(() -> effects("shipping").size() == 21 && effects("billing").size() == 20);
      assertThat(bus.transport()).isEqualTo("postgres");
    }
    assertThat(effects("shipping"))
        .containsOnlyKeys(committed)
        .allSatisfy((k, n) -> assertThat(n).isOne());
    assertThat(effects("billing")).hasSize(20).allSatisfy((k, n) -> assertThat(n).isOne());
  }

  @Test
  void aMessageThatKeepsFailingIsDeadLetteredForItsConsumerAndReplayedOnceFixed() throws Exception {
    PostgresDeadLetterQueue dlq = PostgresDeadLetterQueue.of(dataSource);
    AtomicBoolean broken = new AtomicBoolean(true);
    UUID poison;
    try (PostgresMessageBus bus =
        PostgresMessageBus.of(
            dataSource,
            dlq,
            BusOptions.builder()
                .pollInterval(Duration.ofMillis(10))
                .redelivery(
                    new Redelivery(3, new Backoff(Duration.ofMillis(10), Duration.ofMillis(20), 2)))
                .build())) {
      IdempotentConsumer.Effect billing = record("billing");
      bus.subscribe("bulwark.orders", "shipping", record("shipping"));
      bus.subscribe(
          "bulwark.orders",
          "billing",
          (m, tx) -> {
            if (broken.get() && m.payload().contains("poison")) {
              throw new IllegalStateException("cannot bill " + m.key());
            }
            billing.apply(m, tx);
          });
      bus.start();
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        poison = bus.publish(c, "bulwark.orders", "o-9", "{\"poison\":true}");
        bus.publish(c, "bulwark.orders", "o-10", "{\"fine\":true}");
        c.commit();
      }
      await().until(() -> dlq.waiting() == 1 && effects("billing").size() == 1);

      DeadLetter letter = dlq.list(DeadLetter.Status.DEAD, 10).getFirst();
      assertThat(letter.consumer()).isEqualTo("billing");
      assertThat(letter.messageId()).isEqualTo(poison.toString());
      assertThat(letter.attempts()).isEqualTo(3);
      assertThat(letter.error()).isEqualTo("IllegalStateException: cannot bill o-9");
      assertThat(effects("shipping")).containsKey(poison).hasSize(2);
      assertThat(effects("billing")).doesNotContainKey(poison);

      broken.set(false);
      assertThat(dlq.replay(letter.id()).applied()).isTrue();
      assertThat(dlq.replay(letter.id()).applied()).isFalse();
    }
    assertThat(effects("billing")).containsEntry(poison, 1).hasSize(2);
    assertThat(effects("shipping")).allSatisfy((k, n) -> assertThat(n).isOne());
  }

  @Test
  void twoProcessesOnOneDatabaseRelayOneAtATimeKeepingEachKeysOrderAndTheOtherTakesOver()
      throws Exception {
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement()) {
      st.execute("create table if not exists ordered (n bigserial, key text, seq int)");
    }
    IdempotentConsumer.Effect ordered =
        (m, tx) -> {
          try (PreparedStatement st =
              tx.prepareStatement("insert into ordered (key, seq) values (?, ?)")) {
            st.setString(1, m.key());
            st.setInt(2, Integer.parseInt(m.payload()));
            st.executeUpdate();
          }
        };
    SimpleMeterRegistry metersA = new SimpleMeterRegistry();
    SimpleMeterRegistry metersB = new SimpleMeterRegistry();
    PostgresMessageBus a = bus(metersA, ordered);
    PostgresMessageBus b = bus(metersB, ordered);
    try {
      await().until(() -> leading(metersA) + leading(metersB) == 1);
      publish(a, 0, 150);
      await().until(() -> count("ordered") == 150);

      PostgresMessageBus leader = leading(metersA) == 1 ? a : b;
      SimpleMeterRegistry other = leader == a ? metersB : metersA;
      leader.close();
      publish(leader == a ? b : a, 150, 200);
      await().until(() -> count("ordered") == 200);
      assertThat(leading(other)).isEqualTo(1);
    } finally {
      a.close();
      b.close();
    }
    Map<String, List<Integer>> byKey = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement();
        ResultSet rs = st.executeQuery("select key, seq from ordered order by n")) {
      while (rs.next()) {
        byKey.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getInt(2));
      }
    }
    assertThat(byKey).hasSize(5);
    byKey.forEach((key, seqs) -> assertThat(seqs).as(key).isSorted().doesNotHaveDuplicates());
  }

  private static PostgresMessageBus bus(SimpleMeterRegistry meters, IdempotentConsumer.Effect e) {
    PostgresMessageBus bus =
        PostgresMessageBus.of(
            dataSource,
            PostgresDeadLetterQueue.of(dataSource),
            BusOptions.builder()
                .batchSize(7)
                .pollInterval(Duration.ofMillis(5))
                .meterRegistry(meters)
                .build());
    bus.subscribe("bulwark.orders", "shipping", e);
    return bus.start();
  }

  private static double leading(SimpleMeterRegistry meters) {
    return meters.get("bulwark.messaging.relay.leading").gauge().value();
  }

  private static void publish(PostgresMessageBus bus, int from, int to) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      for (int i = from; i < to; i++) {
        bus.publish(c, "bulwark.orders", "k" + (i % 5), Integer.toString(i));
        c.commit();
      }
    }
  }

  private static long count(String table) throws Exception {
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static IdempotentConsumer.Effect record(String consumer) {
    return (m, tx) -> {
      try (PreparedStatement st = tx.prepareStatement("insert into effects values (?, ?)")) {
        st.setString(1, consumer);
        st.setObject(2, m.messageId());
        st.executeUpdate();
      }
    };
  }

  static Map<UUID, Integer> effects(String consumer) throws Exception {
    Map<UUID, Integer> out = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement("select message_id from effects where consumer = ?")) {
      st.setString(1, consumer);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.merge(rs.getObject(1, UUID.class), 1, Integer::sum);
        }
      }
    }
    return out;
  }
}
