package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.bulwark.commerce.ordering.jdbc.EventStoreOrderLog;
import io.bulwark.commerce.ordering.jdbc.JdbcOrderViews;
import io.bulwark.eventstore.LogPosition;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database whose orders are in the ordering context's own log ({@code ordering_events}) upgrades
 * in place: every event moves into the event store in the old log's commit order, the projection
 * continues exactly after the events it had applied, and new events follow the old ones.
 */
class OrderLogUpgradeTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();

  static final Customers.Customer CUSTOMER =
      new Customers.Customer(UUID.randomUUID(), "Ada", false);

  @Test
  void movesTheOldLogInCommitOrderAndTheProjectionContinuesAfterItsOldCheckpoint()
      throws Exception {
    DataSource ds = pg.database().dataSource();
    migrateOrderingTo("2");
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    UUID c = UUID.randomUUID();
    try (Connection older = ds.getConnection();
        Connection other = ds.getConnection()) {
      older.setAutoCommit(false);
      try (var s = older.createStatement()) {
        s.execute("select pg_current_xact_id()"); // older's events sort first, whatever position
      }
      insertTheOldWay(other, a, 1, OrderEvents.PLACED, placed());
      insertTheOldWay(older, b, 1, OrderEvents.PLACED, placed()); // a larger position than a's
      older.commit();
      insertTheOldWay(other, c, 1, OrderEvents.PLACED, placed());
      insertTheOldWay(other, a, 2, OrderEvents.CONFIRMED, Map.of());
    }
    execute(
        ds,
        "update ordering_projection_checkpoints set (xid, position) = (select xid, position from"
            + " ordering_events where stream_id = '"
            + b
            + "')"); // b, first in commit order, was projected before the upgrade

    upgrade();

    PostgresTransactions tx = PostgresTransactions.of(ds);
    OrderLog log = new EventStoreOrderLog(tx, Clock.systemUTC());
    List<OrderLog.Stored> moved = log.after(LogPosition.START, 100);
    assertThat(moved)
        .extracting(s -> UUID.fromString(s.event().aggregateId()), s -> s.event().version())
        .containsExactly(tuple(b, 1L), tuple(a, 1L), tuple(c, 1L), tuple(a, 2L));
    assertThat(log.stream(a))
        .extracting(e -> e.type())
        .containsExactly(OrderEvents.PLACED, OrderEvents.CONFIRMED);
    assertThat(log.stream(b).getFirst().payload()).containsEntry("total", 250);
    assertThat(tableExists(ds, "ordering_events")).isFalse();

    try (OrderProjection projection =
        new OrderProjection(
            new JdbcOrderViews(tx), log, tx, Duration.ofSeconds(1), (o, cs) -> {})) {
      OrderProjection.Lag lag = projection.lag();
      assertThat(lag.checkpoint()).isEqualTo(moved.getFirst().at());
      assertThat(lag.behind()).isEqualTo(3);

      UUID fresh = UUID.randomUUID();
      log.append(fresh, 0, List.of(new OrderLog.Pending(OrderEvents.PLACED, placed())));
      assertThat(log.after(moved.getLast().at(), 10))
          .extracting(s -> UUID.fromString(s.event().aggregateId()))
          .containsExactly(fresh);

      assertThat(projection.catchUp()).isEqualTo(4);
      assertThat(viewOrders(ds)).containsExactlyInAnyOrder(a, c, fresh);
      assertThat(status(ds, a)).isEqualTo("CONFIRMED");
      assertThat(projection.lag()).extracting("behind", "heldBack").containsExactly(0L, 0L);
    }
  }

  @Test
  void aDatabaseFromBeforeTransactionIdsUpgradesInPositionOrderAndKeepsItsCheckpoint()
      throws Exception {
    pg.server().createDatabaseIfMissing(pg.databaseName() + "_v1");
    try (Database db = Database.connect(pg.jdbcUrl() + "_v1", PostgresServer.SUPERUSER, "", 4)) {
      DataSource ds = db.dataSource();
      migrateOrderingTo(ds, "1");
      List<UUID> orders = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
      try (Connection c = ds.getConnection()) {
        for (UUID order : orders) {
          insertTheOldWay(c, order, 1, OrderEvents.PLACED, placed());
        }
      }
      execute(
          ds,
          "update ordering_projection_checkpoints set position = (select position from"
              + " ordering_events where stream_id = '"
              + orders.get(0)
              + "')"); // the first old event was projected before the upgrade

      db.migrate("eventstore");
      db.migrate("ordering");

      PostgresTransactions tx = PostgresTransactions.of(ds);
      OrderLog log = new EventStoreOrderLog(tx, Clock.systemUTC());
      try (OrderProjection projection =
          new OrderProjection(
              new JdbcOrderViews(tx), log, tx, Duration.ofSeconds(1), (o, cs) -> {})) {
        List<OrderLog.Stored> moved = log.after(LogPosition.START, 10);
        assertThat(moved)
            .extracting(st -> UUID.fromString(st.event().aggregateId()))
            .containsExactlyElementsOf(orders);
        assertThat(projection.lag().checkpoint()).isEqualTo(moved.getFirst().at());
        assertThat(projection.catchUp()).isEqualTo(2);
        assertThat(viewOrders(ds)).containsExactlyInAnyOrder(orders.get(1), orders.get(2));
      }
    }
  }

  private static void migrateOrderingTo(String version) {
    migrateOrderingTo(pg.database().dataSource(), version);
  }

  private static void migrateOrderingTo(DataSource ds, String version) {
    Flyway.configure(Database.class.getClassLoader())
        .dataSource(ds)
        .locations("classpath:db/migration/ordering")
        .table("schema_history_ordering")
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target(version)
        .load()
        .migrate();
  }

  /** As the server does: the event store first, then the ordering context. */
  private static void upgrade() {
    pg.database().migrate("eventstore");
    pg.database().migrate("ordering");
  }

  private static Map<String, Object> placed() {
    return OrderEvents.placed(
        CUSTOMER, List.of(new OrderItem("S-1", "Thing", 1, 250)), 250, "EUR", null);
  }

  private static void insertTheOldWay(
      Connection c, UUID order, int version, String type, Map<String, Object> payload)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into ordering_events (id, stream_id, version, type, payload, occurred_at)"
                + " values (?,?,?,?,?::jsonb,?)")) {
      ps.setObject(1, UUID.randomUUID());
      ps.setObject(2, order);
      ps.setInt(3, version);
      ps.setString(4, type);
      ps.setString(5, Json.write(payload));
      ps.setTimestamp(6, Timestamp.from(Instant.now()));
      ps.executeUpdate();
    }
  }

  private static void execute(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        var s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static boolean tableExists(DataSource ds, String table) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("select to_regclass(?) is not null")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static String status(DataSource ds, UUID order) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select status from ordering_order_view where order_id = ?")) {
      ps.setObject(1, order);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static List<UUID> viewOrders(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        var s = c.createStatement();
        ResultSet rs = s.executeQuery("select order_id from ordering_order_view")) {
      List<UUID> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getObject(1, UUID.class));
      }
      return out;
    }
  }
}
