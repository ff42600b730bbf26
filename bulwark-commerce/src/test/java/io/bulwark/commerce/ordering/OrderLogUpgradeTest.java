package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.kernel.Json;
import io.bulwark.postgres.Database;
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
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database written before events carried their transaction id upgrades in place: the projection
 * continues exactly after the events it had applied, and new events follow the old ones.
 */
class OrderLogUpgradeTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();

  static final Customers.Customer CUSTOMER =
      new Customers.Customer(UUID.randomUUID(), "Ada", false);

  @Test
  void upgradedProjectionContinuesAfterItsOldCheckpointAndNewEventsFollowTheOldOnes()
      throws Exception {
    DataSource ds = pg.database().dataSource();
    Flyway.configure(Database.class.getClassLoader())
        .dataSource(ds)
        .locations("classpath:db/migration/ordering")
        .table("schema_history_ordering")
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target("1")
        .load()
        .migrate();
    List<UUID> old = new ArrayList<>();
    long firstPosition = 0;
    try (Connection c = ds.getConnection()) {
      for (int i = 0; i < 3; i++) {
        UUID order = UUID.randomUUID();
        old.add(order);
        long position = insertPlacedTheOldWay(c, order);
        if (i == 0) {
          firstPosition = position;
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement("update ordering_projection_checkpoints set position = ?")) {
        ps.setLong(1, firstPosition); // the first old event was projected before the upgrade
        ps.executeUpdate();
      }
    }

    pg.database().migrate("ordering");

    OrderLog log = new OrderLog(Clock.systemUTC());
    try (OrderProjection projection =
        new OrderProjection(ds, log, Duration.ofSeconds(1), (o, cs) -> {})) {
      OrderProjection.Lag lag = projection.lag();
      assertThat(lag.checkpoint().position()).isEqualTo(firstPosition);
      assertThat(lag.checkpoint().xid()).isPositive();
      assertThat(lag.behind()).isEqualTo(2);

      UUID fresh = UUID.randomUUID();
      try (Connection c = ds.getConnection()) {
        log.append(
            c,
            fresh,
            0,
            List.of(
                new OrderLog.Pending(
                    OrderEvents.PLACED,
                    OrderEvents.placed(
                        CUSTOMER, List.of(new OrderItem("S-1", "Thing", 1, 250)), 250, "EUR"))));
      }

      assertThat(projection.catchUp()).isEqualTo(3);
      assertThat(viewOrders(ds)).containsExactlyInAnyOrder(old.get(1), old.get(2), fresh);
      try (Connection c = ds.getConnection()) {
        assertThat(log.after(c, OrderLog.Position.START, 10))
            .extracting(s -> UUID.fromString(s.event().aggregateId()))
            .containsExactly(old.get(0), old.get(1), old.get(2), fresh);
      }
      assertThat(projection.lag()).extracting("behind", "heldBack").containsExactly(0L, 0L);
    }
  }

  private static long insertPlacedTheOldWay(Connection c, UUID order) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into ordering_events (id, stream_id, version, type, payload, occurred_at)"
                + " values (?,?,1,?,?::jsonb,?) returning position")) {
      ps.setObject(1, UUID.randomUUID());
      ps.setObject(2, order);
      ps.setString(3, OrderEvents.PLACED);
      ps.setString(
          4,
          Json.write(
              OrderEvents.placed(
                  CUSTOMER, List.of(new OrderItem("S-1", "Thing", 1, 250)), 250, "EUR")));
      ps.setTimestamp(5, Timestamp.from(Instant.now()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
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
