package io.bulwark.messaging.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.eventstore.EventStore;
import io.bulwark.eventstore.ExpectedVersion;
import io.bulwark.eventstore.NewEvent;
import io.bulwark.eventstore.PostgresEventStore;
import io.bulwark.kernel.Json;
import io.bulwark.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OutboxFeedTest {

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.migrating("eventstore", "messaging");

  static DataSource dataSource;

  /** An event table like the shop's inventory_events. */
  static final SequencedTableSource ROWS =
      new SequencedTableSource(
          "stock_events",
          "position",
          rs ->
              new FeedSource.Item(
                  rs.getString("sku"), "{\"position\":" + rs.getLong("position") + "}"));

  @BeforeAll
  static void tables() throws Exception {
    dataSource = pg.database().dataSource();
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement()) {
      st.execute("create table stock_events (position bigserial primary key, sku text not null)");
    }
  }

  @BeforeEach
  void empty() throws Exception {
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement()) {
      st.execute(
          "delete from eventstore_outbox; delete from messaging_feeds; delete from stock_events");
    }
  }

  @Test
  void copiesEachEventOfTheStreamsWithItsPrefixOnceKeyedByAggregate() throws Exception {
    EventStore store = PostgresEventStore.builder(dataSource).build();
    store.append(
        "order-a",
        ExpectedVersion.NO_STREAM,
        List.of(
            NewEvent.of("OrderPlaced", Map.of("total", 12)),
            NewEvent.of("OrderConfirmed", Map.of())));
    store.append(
        "user-x", ExpectedVersion.NO_STREAM, List.of(NewEvent.of("UserCreated", Map.of())));
    store.append(
        "order-b", ExpectedVersion.NO_STREAM, List.of(NewEvent.of("OrderPlaced", Map.of())));
    OutboxFeed feed =
        OutboxFeed.builder(
                "orders", dataSource, new EventLogSource(store, "order-"), "bulwark.orders")
            .build();

    assertThat(feed.copyOnce()).isEqualTo(3);
    assertThat(feed.copyOnce()).isZero();
    store.append(
        "order-a", ExpectedVersion.exactly(2), List.of(NewEvent.of("OrderShipped", Map.of())));
    assertThat(feed.copyOnce()).isEqualTo(1);

    List<String[]> rows = outbox();
    assertThat(rows).extracting(r -> r[0]).containsOnly("bulwark.orders");
    assertThat(rows).extracting(r -> r[1]).containsExactly("a", "a", "b", "a");
    JsonNode first = Json.parse(rows.getFirst()[2]);
    assertThat(first.get("type").asText()).isEqualTo("OrderPlaced");
    assertThat(first.get("aggregateId").asText()).isEqualTo("a");
    assertThat(first.get("version").asLong()).isEqualTo(1);
    assertThat(first.get("data").get("total").asInt()).isEqualTo(12);
    assertThat(first.has("eventId") && first.has("occurredAt")).isTrue();
    assertThat(Json.parse(rows.getLast()[2]).get("version").asLong()).isEqualTo(3);
  }

  @Test
  void waitsForAnOlderWriterStillOpenInsteadOfSkippingItsRow() throws Exception {
    OutboxFeed feed = OutboxFeed.builder("stock", dataSource, ROWS, "bulwark.inventory").build();
    try (Connection slow = dataSource.getConnection()) {
      slow.setAutoCommit(false);
      insert(slow, "SLOW-1"); // draws the smaller position, commits last
      insert(null, "FAST-2");

      assertThat(feed.copyOnce()).isZero();

      slow.commit();
    }
    assertThat(feed.copyOnce()).isEqualTo(2);
    assertThat(outbox()).extracting(r -> r[1]).containsExactly("SLOW-1", "FAST-2");
    assertThat(feed.copyOnce()).isZero();
  }

  @Test
  void copiesEveryCommittedRowExactlyOnceInPositionOrderWhileWritersRaceAndRollBack()
      throws Exception {
    OutboxFeed feed =
        OutboxFeed.builder("race", dataSource, ROWS, "bulwark.inventory")
            .batchSize(7)
            .pollInterval(Duration.ofMillis(2))
            .build();
    Map<String, Boolean> committed = new ConcurrentHashMap<>();
    ExecutorService writers = Executors.newFixedThreadPool(4);
    feed.start();
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        work.add(
            writers.submit(
                () -> {
                  for (int i = 0; i < 60; i++) {
                    String sku = "W" + writer + "-" + i;
                    try (Connection c = dataSource.getConnection()) {
                      c.setAutoCommit(false);
                      insert(c, sku);
                      ThreadLocalRandom random = ThreadLocalRandom.current();
                      if (random.nextInt(4) == 0) {
                        c.prepareStatement("select pg_sleep(0.005)").execute();
                      }
                      if (random.nextInt(5) == 0) {
                        c.rollback();
                      } else {
                        c.commit();
                        committed.put(sku, true);
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : work) {
        f.get();
      }
      await().until(() -> outbox().size() == committed.size());
    } finally {
      writers.shutdown();
      feed.close();
    }
    List<String[]> rows = outbox();
    assertThat(rows).extracting(r -> r[1]).doesNotHaveDuplicates();
    assertThat(rows).extracting(r -> r[1]).containsExactlyInAnyOrderElementsOf(committed.keySet());
    List<Long> positions =
        rows.stream().map(r -> Json.parse(r[2]).get("position").asLong()).toList();
    assertThat(positions).isSorted();
  }

  private static void insert(Connection c, String sku) throws Exception {
    if (c == null) {
      try (Connection own = dataSource.getConnection()) {
        insert(own, sku);
      }
      return;
    }
    try (PreparedStatement st = c.prepareStatement("insert into stock_events (sku) values (?)")) {
      st.setString(1, sku);
      st.executeUpdate();
    }
  }

  private static List<String[]> outbox() throws Exception {
    List<String[]> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement();
        ResultSet rs =
            st.executeQuery("select topic, key, payload from eventstore_outbox order by id")) {
      while (rs.next()) {
        out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
      }
    }
    return out;
  }
}
