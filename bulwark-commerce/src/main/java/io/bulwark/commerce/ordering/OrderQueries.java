package io.bulwark.commerce.ordering;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.bulwark.commerce.internal.Transactions;
import io.bulwark.kernel.Json;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The query side of ordering: an order by id, a customer's orders filtered by status and time
 * (newest first, paged) and a customer's statistics, read from the projected views and cached
 * (Caffeine, one hour) until the projection reports an event that changes them. An order the
 * projection has not reached yet is read from its event stream, so a client always finds the order
 * it was just given.
 */
public final class OrderQueries {

  /** Cache lifetime of a view. */
  public static final Duration TTL = Duration.ofHours(1);

  private final Transactions tx;
  private final OrderService writeSide;
  private final Cache<UUID, Order> orders;
  private final Cache<PageKey, Page> pages;
  private final Cache<UUID, CustomerStats> stats;
  private final AtomicLong generation = new AtomicLong();

  /** Queries over {@code dataSource}, falling back to {@code writeSide} for unprojected orders. */
  public OrderQueries(DataSource dataSource, OrderService writeSide) {
    this.tx = new Transactions(dataSource);
    this.writeSide = writeSide;
    this.orders = Caffeine.newBuilder().expireAfterWrite(TTL).maximumSize(100_000).build();
    this.pages = Caffeine.newBuilder().expireAfterWrite(TTL).maximumSize(10_000).build();
    this.stats = Caffeine.newBuilder().expireAfterWrite(TTL).maximumSize(100_000).build();
  }

  /**
   * A page of a customer's orders.
   *
   * @param items newest first
   * @param nextOffset offset of the next page, or null when this is the last
   */
  public record Page(List<Order> items, Integer nextOffset) {}

  private record PageKey(
      UUID customerId, OrderStatus status, Instant from, Instant to, int limit, int offset) {}

  /** The order with {@code id}, if it exists. */
  public Optional<Order> order(UUID id) {
    Order cached = orders.getIfPresent(id);
    if (cached != null) {
      return Optional.of(cached);
    }
    long g = generation.get();
    Optional<Order> found = tx.read(c -> fromView(c, id));
    if (found.isEmpty()) {
      return writeSide.order(id);
    }
    if (generation.get() == g) {
      orders.put(id, found.get());
    }
    return found;
  }

  /**
   * A customer's orders, newest first.
   *
   * @param status only this status, or null for all
   * @param from only orders placed at or after this, or null
   * @param to only orders placed before this, or null
   */
  public Page customerOrders(
      UUID customerId, OrderStatus status, Instant from, Instant to, int limit, int offset) {
    PageKey key = new PageKey(customerId, status, from, to, limit, offset);
    return cached(pages, key, () -> loadPage(key));
  }

  /** A customer's statistics (zeros before the first order). */
  public CustomerStats stats(UUID customerId) {
    return cached(stats, customerId, () -> loadStats(customerId));
  }

  /** Drops cached views touched by a projected batch; nulls mean "everything". */
  public void invalidate(Set<UUID> orderIds, Set<UUID> customerIds) {
    generation.incrementAndGet();
    if (orderIds == null || customerIds == null) {
      orders.invalidateAll();
      pages.invalidateAll();
      stats.invalidateAll();
      return;
    }
    orders.invalidateAll(orderIds);
    stats.invalidateAll(customerIds);
    pages.asMap().keySet().removeIf(k -> customerIds.contains(k.customerId()));
  }

  private <K, V> V cached(Cache<K, V> cache, K key, Supplier<V> load) {
    V v = cache.getIfPresent(key);
    if (v != null) {
      return v;
    }
    long g = generation.get();
    v = load.get();
    if (generation.get() == g) {
      cache.put(key, v);
    }
    return v;
  }

  private Page loadPage(PageKey k) {
    return tx.read(
        c -> {
          StringBuilder sql =
              new StringBuilder(
                  "select order_id, customer_id, customer_name, status, reason, items::text,"
                      + " total_minor, currency, created_at, updated_at from ordering_order_view"
                      + " where customer_id = ?");
          if (k.status() != null) {
            sql.append(" and status = ?");
          }
          if (k.from() != null) {
            sql.append(" and created_at >= ?");
          }
          if (k.to() != null) {
            sql.append(" and created_at < ?");
          }
          sql.append(" order by created_at desc, order_id desc limit ? offset ?");
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            ps.setObject(i++, k.customerId());
            if (k.status() != null) {
              ps.setString(i++, k.status().name());
            }
            if (k.from() != null) {
              ps.setTimestamp(i++, Timestamp.from(k.from()));
            }
            if (k.to() != null) {
              ps.setTimestamp(i++, Timestamp.from(k.to()));
            }
            ps.setInt(i++, k.limit() + 1);
            ps.setInt(i, k.offset());
            List<Order> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(order(rs));
              }
            }
            boolean more = out.size() > k.limit();
            return new Page(
                List.copyOf(more ? out.subList(0, k.limit()) : out),
                more ? k.offset() + k.limit() : null);
          }
        });
  }

  private CustomerStats loadStats(UUID customerId) {
    return tx.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select customer_name, order_count, confirmed_count, failed_count,"
                      + " total_spent_minor, currency, last_order_id, last_order_at from"
                      + " ordering_customer_stats where customer_id = ?")) {
            ps.setObject(1, customerId);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return new CustomerStats(customerId, null, 0, 0, 0, 0, 0, null, null, null);
              }
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
            }
          }
        });
  }

  private static Optional<Order> fromView(java.sql.Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select order_id, customer_id, customer_name, status, reason, items::text,"
                + " total_minor, currency, created_at, updated_at from ordering_order_view where"
                + " order_id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(order(rs)) : Optional.empty();
      }
    }
  }

  private static Order order(ResultSet rs) throws SQLException {
    List<?> items;
    try {
      items = Json.mapper().readValue(rs.getString(6), List.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable items in order view", e);
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
        0);
  }
}
