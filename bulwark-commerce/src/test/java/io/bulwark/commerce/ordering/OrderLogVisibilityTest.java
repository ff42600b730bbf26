package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.commerce.ordering.jdbc.EventStoreOrderLog;
import io.bulwark.commerce.ordering.jdbc.JdbcIdempotencyKeys;
import io.bulwark.commerce.ordering.jdbc.JdbcOrderViews;
import io.bulwark.eventstore.LogPosition;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Appends to the event store take no global lock, so transactions commit in another order than
 * their positions: the order log's readers (and so the projection) must neither skip an event whose
 * transaction commits after later ones nor ever see it at a place they already passed.
 */
class OrderLogVisibilityTest {

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.migrating("eventstore", "ordering");

  static final Customers.Customer CUSTOMER =
      new Customers.Customer(UUID.randomUUID(), "Ada", false);

  DataSource ds;
  PostgresTransactions tx;
  OrderLog log;
  OrderService orders;
  OrderProjection projection;
  Reader reader;

  /** A reader of the whole log that continues after the last event it read, as projections do. */
  final class Reader {
    LogPosition at = LogPosition.START;
    final List<UUID> read = new ArrayList<>();

    void poll() {
      List<OrderLog.Stored> batch;
      do {
        batch = log.after(at, 1);
        for (OrderLog.Stored s : batch) {
          assertThat(s.at()).isGreaterThan(at);
          read.add(UUID.fromString(s.event().aggregateId()));
          at = s.at();
        }
      } while (!batch.isEmpty());
    }
  }

  @BeforeEach
  void setUp() throws SQLException {
    ds = pg.database().dataSource();
    try (Connection c = ds.getConnection();
        var s = c.createStatement()) {
      s.execute(
          "truncate eventstore_events, ordering_sagas, ordering_order_view,"
              + " ordering_customer_stats");
      s.execute("update ordering_projection_checkpoints set xid = '0', position = 0");
    }
    tx = PostgresTransactions.of(ds);
    log = new EventStoreOrderLog(tx, Clock.systemUTC());
    orders =
        new OrderService(
            new JdbcIdempotencyKeys(tx),
            log,
            tx,
            id -> Optional.of(CUSTOMER),
            skus -> Map.of("S-1", new Catalog.Entry("S-1", "Thing", 250, "EUR")),
            Clock.systemUTC(),
            (id, vip) -> {}, // no saga: this test is about the log and its readers
            () -> {},
            new EventBus(),
            OrderIntake.unbounded());
    projection =
        new OrderProjection(new JdbcOrderViews(tx), log, tx, Duration.ofSeconds(1), (o, c) -> {});
    reader = new Reader();
  }

  @AfterEach
  void tearDown() {
    projection.close();
  }

  UUID place() {
    return orders
        .place(new PlaceOrder(CUSTOMER.id(), List.of(new PlaceOrder.Line("S-1", 1)), null))
        .order()
        .id();
  }

  /** Appends an order's OrderPlaced in the transaction open on {@code c}. */
  void appendPlaced(Connection c, UUID orderId) {
    tx.joining(c, null, () -> appendPlaced(orderId));
  }

  /** Appends an order's OrderPlaced in a transaction of its own. */
  List<DomainEvent> appendPlaced(UUID orderId) {
    List<OrderItem> items = List.of(new OrderItem("S-1", "Thing", 1, 250));
    return log.append(
        orderId,
        0,
        List.of(
            new OrderLog.Pending(
                OrderEvents.PLACED, OrderEvents.placed(CUSTOMER, items, 250, "EUR", null))));
  }

  long position(UUID orderId) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select position from eventstore_events where stream = ?")) {
      ps.setString(1, OrderLog.streamOf(orderId));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  boolean inView(UUID orderId) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select 1 from ordering_order_view where order_id = ?")) {
      ps.setObject(1, orderId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Test
  void projectionWaitsForAHeldAppendInsteadOfSkippingItsSmallerPosition() throws Exception {
    UUID first = place();
    reader.poll();
    assertThat(projection.catchUp()).isEqualTo(1);

    UUID held = UUID.randomUUID();
    UUID second;
    UUID third;
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      appendPlaced(c, held); // takes the smallest position of the three, commits last
      second = place();
      third = place();

      reader.poll();
      assertThat(projection.catchUp()).isZero();
      OrderProjection.Lag lag = projection.lag();
      assertThat(lag.behind()).isZero();
      assertThat(lag.head()).isEqualTo(lag.checkpoint());
      assertThat(lag.heldBack()).isEqualTo(2);
      assertThat(reader.read).containsExactly(first);
      assertThat(inView(second)).isFalse();

      c.commit();
    }
    assertThat(position(held)).isLessThan(position(second)).isLessThan(position(third));

    assertThat(projection.lag().behind()).isEqualTo(3);
    reader.poll();
    assertThat(projection.catchUp()).isEqualTo(3);
    assertThat(reader.read).containsExactly(first, held, second, third);
    assertThat(List.of(first, held, second, third)).allMatch(this::inViewUnchecked);
    assertThat(projection.lag()).extracting("behind", "heldBack").containsExactly(0L, 0L);
    assertThat(projection.checkpoint()).isEqualTo(reader.at);
  }

  @Test
  void anEventWrittenLaterByAnOlderTransactionIsReadBeforeNewerOnesNeverAfterThem()
      throws Exception {
    UUID held = UUID.randomUUID();
    UUID other;
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (var s = c.createStatement()) {
        s.execute("select pg_current_xact_id()"); // the held transaction is now the older one
      }
      other = place();
      reader.poll();
      assertThat(projection.catchUp()).isZero();
      assertThat(projection.lag().heldBack()).isEqualTo(1);
      appendPlaced(c, held); // a larger position than the event already committed
      reader.poll();
      assertThat(reader.read).isEmpty();
      c.commit();
    }
    assertThat(position(held)).isGreaterThan(position(other));

    reader.poll();
    assertThat(projection.catchUp()).isEqualTo(2);
    assertThat(reader.read).containsExactly(held, other);
    assertThat(inView(held)).isTrue();
    assertThat(inView(other)).isTrue();
    assertThat(projection.checkpoint()).isEqualTo(reader.at);
  }

  @Test
  void refusesToAppendAfterAStreamEventOfAYoungerTransaction() throws Exception {
    UUID order = UUID.randomUUID();
    try (Connection older = ds.getConnection()) {
      older.setAutoCommit(false);
      try (var s = older.createStatement()) {
        s.execute("select pg_current_xact_id()");
      }
      appendPlaced(order); // committed at once
      assertThatThrownBy(
              () ->
                  tx.joining(
                      older,
                      null,
                      () ->
                          log.append(
                              order,
                              1,
                              List.of(
                                  new OrderLog.Pending(OrderEvents.INVENTORY_RESERVED, Map.of())))))
          .isInstanceOf(OrderLog.VersionConflict.class)
          .hasMessageContaining("order-" + order)
          .hasMessageContaining("younger transaction");
      older.rollback();
    }
    assertThat(log.stream(order)).hasSize(1);
  }

  @Test
  void aRacingAppendOfTheSameVersionFailsWithAVersionConflictOnceTheWinnerCommits()
      throws Exception {
    UUID order = UUID.randomUUID();
    try (Connection winner = ds.getConnection();
        Connection loser = ds.getConnection()) {
      winner.setAutoCommit(false);
      loser.setAutoCommit(false);
      appendPlaced(winner, order);
      CompletableFuture<Void> race =
          CompletableFuture.runAsync(
              () -> appendPlaced(loser, order)); // passes the version check, waits on the index
      await().atMost(Duration.ofSeconds(10)).until(this::someoneWaitsForALock);
      winner.commit();
      assertThatThrownBy(race::join)
          .hasCauseInstanceOf(OrderLog.VersionConflict.class)
          .cause()
          .hasMessageContaining("expected version 0, found 1");
      loser.rollback();
    }
    assertThat(log.stream(order)).hasSize(1);
  }

  private boolean someoneWaitsForALock() throws SQLException {
    try (Connection c = ds.getConnection();
        var s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname"
                    + " = current_database()")) {
      rs.next();
      return rs.getLong(1) > 0;
    }
  }

  private boolean inViewUnchecked(UUID orderId) {
    try {
      return inView(orderId);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
