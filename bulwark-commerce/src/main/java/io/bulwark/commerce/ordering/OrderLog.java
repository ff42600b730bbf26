package io.bulwark.commerce.ordering;

import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.eventstore.LogBacklog;
import io.bulwark.eventstore.LogPosition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The ordering context's events: one stream per order, named {@code order-<uuid>}, appended with an
 * expected version, and the whole log in commit order for projections. Each call takes part in the
 * transaction open on the calling thread ({@link io.bulwark.kernel.Transactions}), or runs on its
 * own.
 *
 * <p>{@link #after} reads the log gap-free in commit order: only events of transactions that ended
 * before every transaction still running, so a reader that continues after the last event it got
 * never misses one that commits late (a long-running write transaction anywhere on the database
 * server holds {@link #after} back, never {@link #stream}). A stream's events stay in version order
 * in that log: an append on a transaction that began writing before the stream's last writer is
 * refused with a {@link VersionConflict}, like a wrong expected version.
 */
public interface OrderLog {

  /** Every order's stream name starts with this, followed by the order id. */
  String STREAM_PREFIX = "order-";

  /** The stream of {@code orderId}: {@code order-<uuid>}. */
  static String streamOf(UUID orderId) {
    return STREAM_PREFIX + orderId;
  }

  /** An event with its place in the log's commit order. */
  record Stored(LogPosition at, DomainEvent event) {}

  /** A new event to append. */
  record Pending(String type, Map<String, Object> payload) {}

  /**
   * Appends {@code pending} to {@code orderId}'s stream.
   *
   * @return the events as stored, to publish once the transaction commits
   * @throws VersionConflict when the stream is not at {@code expectedVersion}, or its last event
   *     was written by a transaction younger than the caller's; the transaction is lost: roll back
   *     and retry
   */
  List<DomainEvent> append(UUID orderId, int expectedVersion, List<Pending> pending);

  /** Every event of {@code orderId}'s stream, oldest first. */
  List<DomainEvent> stream(UUID orderId);

  /** The order as its stream says now (the write model), if it exists. */
  default Optional<Order> order(UUID orderId) {
    List<DomainEvent> events = stream(orderId);
    return events.isEmpty() ? Optional.empty() : Optional.of(OrderEvents.fold(orderId, events));
  }

  /**
   * Up to {@code limit} order events after {@code from} in the log's commit order, only from
   * transactions that ended before every transaction still running (see the interface comment).
   */
  List<Stored> after(LogPosition from, int limit);

  /**
   * What a reader continuing after {@code from} would get now: how many order events, how many it
   * cannot read yet because a transaction older than theirs is still running, and the last readable
   * one; counted without reading the events.
   */
  LogBacklog backlog(LogPosition from);

  /** Another writer appended to the stream first; roll back and retry. */
  final class VersionConflict extends RuntimeException {
    /** A conflict explained by {@code message}, raised by the store's {@code cause}. */
    public VersionConflict(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
