package io.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.testkit.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CatchUpSubscriptionTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("eventstore");

  static DataSource dataSource;
  static PostgresEventStore store;

  @BeforeAll
  static void createStore() throws Exception {
    dataSource = pg.database().dataSource();
    store = PostgresEventStore.builder(dataSource).build();
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement()) {
      st.execute(
          "create table handled (subscription text, event_id uuid, primary key (subscription,"
              + " event_id))");
    }
  }

  @Test
  void handlesEveryEventOnceInCommitOrderAndResumesFromItsCheckpointAfterRestart()
      throws Exception {
    List<RecordedEvent> appended = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      appended.addAll(store.append("sub-a-" + (i % 3), ExpectedVersion.ANY, event(i)).events());
    }
    List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
    EventHandler handler = recordingHandler("resume", seen);

    try (var sub = subscription("resume", handler).batchSize(7).build().start()) {
      await().until(() -> ownEvents(seen).size() >= 30);
      await().until(() -> sub.checkpoint().equals(appended.getLast().logPosition()));
    }
    assertThat(ownEvents(seen)).containsExactlyElementsOf(appended);

    for (int i = 30; i < 40; i++) {
      appended.addAll(store.append("sub-a-" + (i % 3), ExpectedVersion.ANY, event(i)).events());
    }
    try (var restarted = subscription("resume", handler).build().start()) {
      await().until(() -> ownEvents(seen).size() >= 40);
      assertThat(restarted.checkpoint()).isEqualTo(appended.getLast().logPosition());
    }
    assertThat(ownEvents(seen)).containsExactlyElementsOf(appended);
    assertThat(handledRows("resume")).isEqualTo(seen.size());
  }

  @Test
  void retriesAFailingHandlerWithBackoffAndNeverSkipsTheEvent() throws Exception {
    LogPosition last =
        store
            .append("sub-fail", ExpectedVersion.ANY, List.of(event(1), event(2), event(3)))
            .events()
            .getLast()
            .logPosition();
    List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
    AtomicInteger failuresLeft = new AtomicInteger(3);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EventHandler flaky =
        (event, tx) -> {
          if (event.stream().equals("sub-fail")
              && event.version() == 2
              && failuresLeft.getAndDecrement() > 0) {
            markHandled("flaky", event, tx);
            throw new IllegalStateException("downstream unavailable");
          }
          recordingHandler("flaky", seen).handle(event, tx);
        };

    try (var sub =
        subscription("flaky", flaky)
            .meterRegistry(registry)
            .backoff(new Backoff(Duration.ofMillis(5), Duration.ofMillis(20), 2))
            .build()
            .start()) {
      await().until(() -> sub.checkpoint().compareTo(last) >= 0);
    }

    assertThat(seen)
        .filteredOn(e -> e.stream().equals("sub-fail"))
        .extracting(RecordedEvent::version)
        .containsExactly(1L, 2L, 3L);
    assertThat(
            registry
                .get("bulwark.eventstore.subscription.failures")
                .tag("subscription", "flaky")
                .counter()
                .count())
        .isEqualTo(3);
    assertThat(handledRows("flaky"))
        .as("rolled-back attempts leave no effect")
        .isEqualTo(seen.size());
  }

  @Test
  void twoInstancesOfOneSubscriptionHandleEachEventOnce() throws Exception {
    for (int i = 0; i < 60; i++) {
      store.append("sub-pair-" + (i % 5), ExpectedVersion.ANY, event(i));
    }
    long total = store.readAll(LogPosition.START, 10_000).size();
    Map<Object, Integer> counts = new ConcurrentHashMap<>();
    EventHandler counting =
        (event, tx) -> {
          markHandled("pair", event, tx);
          counts.merge(event.eventId(), 1, Integer::sum);
        };

    try (var one = subscription("pair", counting).batchSize(5).build().start();
        var two = subscription("pair", counting).batchSize(5).build().start()) {
      await().until(() -> handledRows("pair") == total);
      await().until(() -> two.checkpoint().equals(one.checkpoint()));
      await()
          .until(
              () ->
                  one.checkpoint()
                      .equals(store.readAll(LogPosition.START, 10_000).getLast().logPosition()));
    }
    assertThat(handledRows("pair")).isEqualTo(total);
  }

  @Test
  void reportsHowFarBehindTheLogItIsAndZeroOnceCaughtUp() throws Exception {
    store.append("sub-lag", ExpectedVersion.ANY, List.of(event(1), event(2), event(3)));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger blocked = new AtomicInteger();
    EventHandler slow =
        (event, tx) -> {
          if (event.stream().equals("sub-lag") && event.version() == 3) {
            blocked.incrementAndGet();
            release.await();
          }
        };
    java.time.Clock anHourLater =
        java.time.Clock.fixed(
            java.time.Instant.now().plus(Duration.ofHours(1)), java.time.ZoneOffset.UTC);

    try (var sub =
        subscription("lagging", slow)
            .batchSize(1)
            .clock(anHourLater)
            .meterRegistry(registry)
            .build()
            .start()) {
      await().until(() -> blocked.get() > 0);
      assertThat(lag(registry)).isBetween(3_500.0, 3_700.0);
      release.countDown();
      await().until(() -> lag(registry) == 0.0);
      assertThat(sub.name()).isEqualTo("lagging");
    }
  }

  private static double lag(SimpleMeterRegistry registry) {
    return registry
        .get("bulwark.eventstore.subscription.lag")
        .tag("subscription", "lagging")
        .gauge()
        .value();
  }

  private static List<RecordedEvent> ownEvents(List<RecordedEvent> seen) {
    return seen.stream().filter(e -> e.stream().startsWith("sub-a-")).toList();
  }

  private static CatchUpSubscription.Builder subscription(String name, EventHandler handler) {
    return CatchUpSubscription.builder(name, store, dataSource, handler)
        .pollInterval(Duration.ofMillis(10));
  }

  private static EventHandler recordingHandler(String name, List<RecordedEvent> seen) {
    return (event, tx) -> {
      markHandled(name, event, tx);
      seen.add(event);
    };
  }

  private static void markHandled(String name, RecordedEvent event, Connection tx)
      throws Exception {
    try (PreparedStatement st = tx.prepareStatement("insert into handled values (?, ?)")) {
      st.setString(1, name);
      st.setObject(2, event.eventId());
      st.executeUpdate();
    }
  }

  private static long handledRows(String name) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement("select count(*) from handled where subscription = ?")) {
      st.setString(1, name);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static NewEvent event(int n) {
    return NewEvent.of("Counted", Map.of("n", n));
  }
}
