package io.bulwark.commerce.inventory;

import io.bulwark.commerce.events.DomainEvent;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Where the catalog and inventory context keeps products, stock, reservations and its events. Each
 * call takes part in the transaction open on the calling thread ({@link
 * io.bulwark.kernel.Transactions}), or runs on its own. Stock never goes below zero: the store
 * refuses a change that would take it there.
 */
public interface InventoryStore {

  /** Adds {@code product} with {@code available} units; false when the sku exists already. */
  boolean insert(Product product, int available, Instant at);

  /** Every product, ordered by sku. */
  List<Product> products();

  /** The products among {@code skus} that exist, by sku. */
  Map<String, Product> products(Collection<String> skus);

  /** The stock of {@code sku}, if the product exists. */
  Optional<StockLevel> stock(String sku);

  /** As {@link #stock}, locking the stock until the transaction ends. */
  Optional<StockLevel> lockStock(String sku);

  /**
   * The one way stock changes: adds {@code availableDelta} to the available units and {@code
   * reservedDelta} to the reserved ones, unless that would take available stock below zero.
   *
   * @return the stock after the change; empty when it was refused (or the sku is unknown)
   */
  Optional<StockLevel> changeStock(String sku, int availableDelta, int reservedDelta, Instant at);

  /**
   * Adds reservation {@code id} in {@code status}; false when a reservation with that id exists
   * already (nothing changes then).
   */
  boolean insertReservation(UUID id, String status, Instant expiresAt, Instant at);

  /** Adds a line to reservation {@code id}. */
  void insertLine(UUID id, Line line);

  /** The lines of reservation {@code id}, by sku. */
  List<Line> lines(UUID id);

  /** The status of reservation {@code id} (HELD, COMMITTED, RELEASED, EXPIRED). */
  Optional<String> reservationStatus(UUID id);

  /** Moves reservation {@code id} from HELD to {@code status}; false when it was not HELD. */
  boolean leaveHeld(UUID id, String status, Instant at);

  /** Up to {@code limit} HELD reservations that expired before {@code now}, oldest first. */
  List<UUID> expiredHeld(Instant now, int limit);

  /**
   * A replenishment request as stored, with the callback token of the step its execution waits in
   * (null while it is not waiting).
   *
   * @param request the request
   * @param taskToken the token, or null
   */
  record StoredReplenishment(Replenishment request, String taskToken) {}

  /**
   * Opens a REQUESTED replenishment of {@code quantity} units of {@code sku}; false when the
   * product has an open one already (nothing changes then).
   */
  boolean insertReplenishment(UUID id, String sku, int quantity, Instant at);

  /** The replenishment request {@code id}. */
  Optional<StoredReplenishment> replenishment(UUID id);

  /** As {@link #replenishment}, locking the request until the transaction ends. */
  Optional<StoredReplenishment> lockReplenishment(UUID id);

  /** Up to {@code limit} requests, newest first; only those in {@code status} unless null. */
  List<Replenishment> replenishments(Replenishment.Status status, int limit);

  /**
   * Records that request {@code id} (not yet RECEIVED) now waits, in {@code status}, for the step
   * whose callback token is {@code taskToken}; {@code quantity} replaces the requested one unless
   * null.
   */
  void awaitReplenishment(
      UUID id, Replenishment.Status status, Integer quantity, String taskToken, Instant at);

  /** Forgets the callback token of request {@code id}: its step was ended. */
  void clearReplenishmentToken(UUID id, Instant at);

  /**
   * Marks an APPROVED request {@code id} RECEIVED with {@code quantity} units.
   *
   * @return false when it was not APPROVED (received already)
   */
  boolean markReplenishmentReceived(UUID id, int quantity, Instant at);

  /**
   * Marks a REQUESTED request {@code id} REJECTED.
   *
   * @return false when it was not REQUESTED (rejected already)
   */
  boolean markReplenishmentRejected(UUID id, Instant at);

  /** Keeps {@code event} in the context's event table. */
  void record(DomainEvent event);

  /** The newest {@code limit} events of the context, oldest first. */
  List<DomainEvent> recentEvents(int limit);
}
