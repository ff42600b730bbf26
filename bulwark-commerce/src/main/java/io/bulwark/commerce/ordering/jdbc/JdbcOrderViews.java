package io.bulwark.commerce.ordering.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bulwark.commerce.ordering.CustomerStats;
import io.bulwark.commerce.ordering.Order;
import io.bulwark.commerce.ordering.OrderEvents;
import io.bulwark.commerce.ordering.OrderQueries;
import io.bulwark.commerce.ordering.OrderStatus;
import io.bulwark.commerce.ordering.OrderViews;
import io.bulwark.commerce.ordering.ShippingAddress;
import io.bulwark.eventstore.LogPosition;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.PostgresTransactions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@link OrderViews} in PostgreSQL: tables {@code ordering_order_view}, {@code
 * ordering_customer_stats} and the {@code orders} row of {@code ordering_projection_checkpoints}.
 */
public final class JdbcOrderViews implements OrderViews {

  /** The projection's row in {@code ordering_projection_checkpoints}. */
  static final String NAME = "orders";

  private static final String ORDER_COLUMNS =
      "order_id, customer_id, customer_name, status, reason, items::text, total_minor, currency,"
          + " created_at, updated_at, shipping_address::text";

  private static final String CHECKPOINT =
      "select xid::text, position from ordering_projection_checkpoints where name = ?";

  private final PostgresTransactions tx;

  /** Views in {@code tx}'s database, read and written in its transactions. */
  public JdbcOrderViews(PostgresTransactions tx) {
    this.tx = tx;
  }

  @Override
  public LogPosition checkpoint() {
    return tx.queryFirst(CHECKPOINT, JdbcOrderViews::position, NAME).orElseThrow();
  }

  @Override
  public LogPosition lockCheckpoint() {
    return tx.updateFirst(CHECKPOINT + " for update", JdbcOrderViews::position, NAME).orElseThrow();
  }

  @Override
  public void moveCheckpoint(LogPosition to) {
    tx.update(
        "update ordering_projection_checkpoints set xid = ?::text::xid8, position = ? where name"
            + " = ?",
        Long.toUnsignedString(to.transactionId()),
        to.position(),
        NAME);
  }

  @Override
  public void clear() {
    tx.inTransaction(
        () -> {
          lockCheckpoint();
          tx.update("delete from ordering_order_view");
          tx.update("delete from ordering_customer_stats");
          moveCheckpoint(LogPosition.START);
        });
  }

  private static LogPosition position(ResultSet rs) throws SQLException {
    return new LogPosition(Long.parseUnsignedLong(rs.getString(1)), rs.getLong(2));
  }

  @Override
  public boolean addOrder(
      UUID orderId,
      UUID customerId,
      String customerName,
      List<?> items,
      long totalMinor,
      String currency,
      ShippingAddress shippingAddress,
      Instant at) {
    return tx.update(
            "insert into ordering_order_view (order_id, customer_id, customer_name, status,"
                + " items, total_minor, currency, created_at, updated_at, shipping_address) values"
                + " (?,?,?,'PENDING',?::jsonb,?,?,?,?,?::jsonb) on conflict (order_id) do nothing",
            orderId,
            customerId,
            customerName,
            Json.write(items),
            totalMinor,
            currency,
            at,
            at,
            shippingAddress == null ? null : Json.write(shippingAddress.toMap()))
        == 1;
  }

  @Override
  public void countPlaced(
      UUID customerId, String customerName, String currency, UUID orderId, Instant at) {
    tx.update(
        "insert into ordering_customer_stats as s (customer_id, customer_name, order_count,"
            + " confirmed_count, failed_count, total_spent_minor, currency, last_order_id,"
            + " last_order_at) values (?,?,1,0,0,0,?,?,?) on conflict (customer_id) do update set"
            + " customer_name = excluded.customer_name, order_count = s.order_count + 1, currency"
            + " = excluded.currency, last_order_id = case when s.last_order_at is null or"
            + " s.last_order_at <= excluded.last_order_at then excluded.last_order_id else"
            + " s.last_order_id end, last_order_at = greatest(s.last_order_at,"
            + " excluded.last_order_at)",
        customerId,
        customerName,
        currency,
        orderId,
        at);
  }

  @Override
  public Optional<Ended> endOrder(UUID orderId, OrderStatus status, String reason, Instant at) {
    return tx.updateFirst(
        "update ordering_order_view set status = ?, reason = ?, updated_at = ? where order_id = ?"
            + " and status = 'PENDING' returning customer_id, total_minor,"
            + " currency",
        rs -> new Ended(rs.getObject(1, UUID.class), rs.getLong(2), rs.getString(3)),
        status.name(),
        reason,
        at,
        orderId);
  }

  @Override
  public void countEnded(UUID customerId, boolean confirmed, long totalMinor) {
    tx.update(
        "update ordering_customer_stats set confirmed_count = confirmed_count + ?, failed_count ="
            + " failed_count + ?, total_spent_minor = total_spent_minor + ? where customer_id = ?",
        confirmed ? 1 : 0,
        confirmed ? 0 : 1,
        confirmed ? totalMinor : 0,
        customerId);
  }

  @Override
  public Optional<UUID> touchOrder(UUID orderId, Instant at) {
    return tx.updateFirst(
        "update ordering_order_view set updated_at = ? where order_id = ? returning customer_id",
        rs -> rs.getObject(1, UUID.class),
        at,
        orderId);
  }

  @Override
  public Optional<Order> order(UUID id) {
    return tx.queryFirst(
        "select " + ORDER_COLUMNS + " from ordering_order_view where order_id = ?",
        JdbcOrderViews::order,
        id);
  }

  @Override
  public OrderQueries.Page customerOrders(
      UUID customerId, OrderStatus status, Instant from, Instant to, int limit, int offset) {
    StringBuilder sql =
        new StringBuilder(
            "select " + ORDER_COLUMNS + " from ordering_order_view where customer_id = ?");
    List<Object> params = new ArrayList<>(List.of(customerId));
    if (status != null) {
      sql.append(" and status = ?");
      params.add(status.name());
    }
    if (from != null) {
      sql.append(" and created_at >= ?");
      params.add(from);
    }
    if (to != null) {
      sql.append(" and created_at < ?");
      params.add(to);
    }
    sql.append(" order by created_at desc, order_id desc limit ? offset ?");
    params.add(limit + 1);
    params.add(offset);
    List<Order> found = tx.query(sql.toString(), JdbcOrderViews::order, params.toArray());
    boolean more = found.size() > limit;
    return new OrderQueries.Page(
        List.copyOf(more ? found.subList(0, limit) : found), more ? offset + limit : null);
  }

  @Override
  public CustomerStats stats(UUID customerId) {
    return tx.queryFirst(
            "select customer_name, order_count, confirmed_count, failed_count,"
                + " total_spent_minor, currency, last_order_id, last_order_at from"
                + " ordering_customer_stats where customer_id = ?",
            rs -> {
              int confirmed = rs.getInt(3);
              long spent = rs.getLong(5);
              Timestamp last = rs.getTimestamp(8);
              return new CustomerStats(
                  customerId,
                  rs.getString(1),
                  rs.getInt(2),
                  confirmed,
                  rs.getInt(4),
                  spent,
                  confirmed == 0 ? 0 : Math.round((double) spent / confirmed),
                  rs.getString(6),
                  rs.getObject(7, UUID.class),
                  last == null ? null : last.toInstant());
            },
            customerId)
        .orElseGet(() -> new CustomerStats(customerId, null, 0, 0, 0, 0, 0, null, null, null));
  }

  private static Order order(ResultSet rs) throws SQLException {
    List<?> items;
    Map<?, ?> address;
    try {
      items = Json.mapper().readValue(rs.getString(6), List.class);
      String a = rs.getString(11);
      address = a == null ? null : Json.mapper().readValue(a, Map.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable items or address in order view", e);
    }
    return new Order(
        rs.getObject(1, UUID.class),
        rs.getObject(2, UUID.class),
        rs.getString(3),
        OrderEvents.items(items),
        rs.getLong(7),
        rs.getString(8),
        OrderStatus.valueOf(rs.getString(4)),
        rs.getString(5),
        rs.getTimestamp(9).toInstant(),
        rs.getTimestamp(10).toInstant(),
        0,
        ShippingAddress.fromMap(address));
  }
}
