package io.bulwark.commerce.ordering;

import io.bulwark.eventstore.LogPosition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The read side of ordering: a denormalised view of each order, per-customer statistics, and the
 * checkpoint of the {@link OrderProjection} that keeps them. Each call takes part in the
 * transaction open on the calling thread ({@link io.bulwark.kernel.Transactions}), or runs on its
 * own.
 */
public interface OrderViews {

  // ------------------------------------------------------------ the projection's checkpoint

  /** The place in the log of the last projected event ({@link LogPosition#START} if none). */
  LogPosition checkpoint();

  /** As {@link #checkpoint()}, locked until the transaction ends. */
  LogPosition lockCheckpoint();

  /** Moves the checkpoint to {@code to}. */
  void moveCheckpoint(LogPosition to);

  /** Drops every view and puts the checkpoint back to the start (locking it first). */
  void clear();

  // ------------------------------------------------------------ the projection's writes

  /**
   * Adds the PENDING view of a placed order; false when it is there already.
   *
   * @param items the order's lines as the event holds them (JSON-compatible)
   */
  boolean addOrder(
      UUID orderId,
      UUID customerId,
      String customerName,
      List<?> items,
      long totalMinor,
      String currency,
      ShippingAddress shippingAddress,
      Instant at);

  /** Counts a placed order in its customer's statistics; the newest order is remembered. */
  void countPlaced(UUID customerId, String customerName, String currency, UUID orderId, Instant at);

  /**
   * What ending an order changed.
   *
   * @param customerId whose order it was
   * @param totalMinor its total
   * @param currency the total's currency (ISO 4217)
   */
  record Ended(UUID customerId, long totalMinor, String currency) {}

  /**
   * Ends the view of a PENDING order as {@code status}, with {@code reason} (or null).
   *
   * @return empty when the order is not there or not PENDING (nothing changes then)
   */
  Optional<Ended> endOrder(UUID orderId, OrderStatus status, String reason, Instant at);

  /** Counts an ended order in its customer's statistics (the total only when confirmed). */
  void countEnded(UUID customerId, boolean confirmed, long totalMinor);

  /** Marks the view of {@code orderId} updated at {@code at}; its customer, if it is there. */
  Optional<UUID> touchOrder(UUID orderId, Instant at);

  // ------------------------------------------------------------ queries

  /** The view of order {@code id}. */
  Optional<Order> order(UUID id);

  /**
   * A customer's orders, newest first.
   *
   * @param status only this status, or null for all
   * @param from only orders placed at or after this, or null
   * @param to only orders placed before this, or null
   */
  OrderQueries.Page customerOrders(
      UUID customerId, OrderStatus status, Instant from, Instant to, int limit, int offset);

  /** A customer's statistics (zeros before the first order). */
  CustomerStats stats(UUID customerId);
}
