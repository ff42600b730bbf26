package io.bulwark.commerce.ordering;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

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

  private final OrderViews views;
  private final OrderLog writeSide;
  private final Cache<UUID, Order> orders;
  private final Cache<PageKey, Page> pages;
  private final Cache<UUID, CustomerStats> stats;
  private final AtomicLong generation = new AtomicLong();

  /** Queries of {@code views}, falling back to {@code writeSide} for unprojected orders. */
  public OrderQueries(OrderViews views, OrderLog writeSide) {
    this(views, writeSide, Ticker.systemTicker());
  }

  /** As above, with the cache's {@link #TTL} timed by {@code ticker} (tests move it). */
  public OrderQueries(OrderViews views, OrderLog writeSide, Ticker ticker) {
    this.views = views;
    this.writeSide = writeSide;
    this.orders = cache(ticker, 100_000);
    this.pages = cache(ticker, 10_000);
    this.stats = cache(ticker, 100_000);
  }

  private static <K, V> Cache<K, V> cache(Ticker ticker, long maximumSize) {
    return Caffeine.newBuilder()
        .expireAfterWrite(TTL)
        .maximumSize(maximumSize)
        .ticker(ticker)
        .build();
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
    Optional<Order> found = views.order(id);
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
    return cached(
        pages, key, () -> views.customerOrders(customerId, status, from, to, limit, offset));
  }

  /** A customer's statistics (zeros before the first order). */
  public CustomerStats stats(UUID customerId) {
    return cached(stats, customerId, () -> views.stats(customerId));
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
}
