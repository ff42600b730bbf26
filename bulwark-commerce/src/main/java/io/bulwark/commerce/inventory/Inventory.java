package io.bulwark.commerce.inventory;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.kernel.Ids;
import io.bulwark.kernel.Transactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The catalog and inventory context. Stock changes only through {@link InventoryStore#changeStock},
 * which refuses to take available stock below zero, so no interleaving of requests can oversell.
 * Reservations are keyed by the caller's id (the order id), which makes reserve, commit and release
 * idempotent: a saga may retry any of them after a crash. Events are kept with the change that
 * caused them and published on the bus once it has committed.
 *
 * <p>A product that falls to its reorder point ({@link Product#lowStockThreshold()}) raises {@code
 * LowStockAlert} and, when a {@link ReplenishmentWorkflow} is given, opens a replenishment request
 * (one open request per product) in the same transaction. An operator approves the request and
 * later receives the goods, which adds them to stock ({@code InventoryUpdated}, reason {@code
 * replenished}).
 */
public final class Inventory {

  private static final Pattern SKU = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final String HELD = "HELD";
  private static final String COMMITTED = "COMMITTED";

  private final InventoryStore store;
  private final Transactions tx;
  private final EventBus bus;
  private final Duration reservationTtl;
  private final Clock clock;
  private final ReplenishmentWorkflow replenishment;

  /**
   * Inventory kept in {@code store} within {@code tx}, publishing events on {@code bus}, without
   * replenishment requests.
   */
  public Inventory(
      InventoryStore store, Transactions tx, EventBus bus, Duration reservationTtl, Clock clock) {
    this(store, tx, bus, reservationTtl, clock, null);
  }

  /**
   * Inventory as above whose products, when they fall to their reorder point, get a replenishment
   * request run by {@code replenishment}.
   */
  public Inventory(
      InventoryStore store,
      Transactions tx,
      EventBus bus,
      Duration reservationTtl,
      Clock clock,
      ReplenishmentWorkflow replenishment) {
    this.store = store;
    this.tx = tx;
    this.bus = bus;
    this.reservationTtl = reservationTtl;
    this.clock = clock;
    this.replenishment = replenishment;
  }

  /**
   * Adds a product with {@code initialStock} units.
   *
   * @throws CommerceException.InvalidInput naming the field that breaks a rule
   * @throws CommerceException.Conflict when the sku exists
   */
  public Product create(Product p, int initialStock) {
    validate(p);
    if (initialStock < 0) {
      throw new CommerceException.InvalidInput(
          "$.available", "available must be >= 0 but was " + initialStock);
    }
    boolean created =
        tx.inTransaction(
            () -> {
              if (!store.insert(p, initialStock, clock.instant())) {
                return false;
              }
              stockChanged(
                  new StockLevel(p.sku(), initialStock, 0, p.lowStockThreshold()), "created");
              return true;
            });
    if (!created) {
      throw new CommerceException.Conflict(
          "sku-exists", "a product with sku \"" + p.sku() + "\" already exists");
    }
    return p;
  }

  /** Every product, ordered by sku. */
  public List<Product> products() {
    return store.products();
  }

  /** The products among {@code skus} that exist, by sku. */
  public Map<String, Product> products(Collection<String> skus) {
    return store.products(skus);
  }

  /** Stock of {@code sku}, if the product exists. */
  public Optional<StockLevel> stock(String sku) {
    return store.stock(sku);
  }

  /**
   * Sets the available stock of {@code sku} to {@code available}.
   *
   * @throws CommerceException.NotFound for an unknown sku
   */
  public StockLevel setAvailable(String sku, int available) {
    if (available < 0) {
      throw new CommerceException.InvalidInput(
          "$.available", "available must be >= 0 but was " + available);
    }
    return changeStock(sku, true, available, "set");
  }

  /**
   * Adds {@code delta} (may be negative) to the available stock of {@code sku}.
   *
   * @throws CommerceException.Conflict when that would take stock below zero
   */
  public StockLevel adjust(String sku, int delta) {
    return changeStock(sku, false, delta, "adjusted");
  }

  private StockLevel changeStock(String sku, boolean absolute, int value, String reason) {
    return tx.inTransaction(
        () -> {
          StockLevel before =
              store
                  .lockStock(sku)
                  .orElseThrow(
                      () -> new CommerceException.NotFound("no product with sku \"" + sku + "\""));
          long after = absolute ? value : (long) before.available() + value;
          if (after < 0 || after > Integer.MAX_VALUE) {
            throw new CommerceException.Conflict(
                "stock-out-of-range",
                "stock of "
                    + sku
                    + " would become "
                    + after
                    + " (available "
                    + before.available()
                    + ", change "
                    + value
                    + ")");
          }
          StockLevel now =
              store
                  .changeStock(sku, (int) (after - before.available()), 0, clock.instant())
                  .orElseThrow();
          stockChanged(now, reason);
          return now;
        });
  }

  /**
   * Holds {@code lines} under {@code reservationId} until committed, released or expired. All or
   * nothing: when any line lacks stock, nothing is held and the shortfall is reported.
   */
  public Reservation reserve(UUID reservationId, List<Line> lines) {
    List<Line> sorted =
        lines.stream().sorted(Comparator.comparing(Line::sku)).toList(); // one lock order
    try {
      return tx.nested(() -> hold(reservationId, sorted));
    } catch (Shortfall s) {
      Reservation.Insufficient i = s.outcome;
      tx.inTransaction(
          () ->
              record(
                  "InsufficientStock",
                  i.sku(),
                  Map.of(
                      "reservationId", reservationId.toString(),
                      "sku", i.sku(),
                      "requested", i.requested(),
                      "available", i.available())));
      return i;
    }
  }

  /** Holds every line or throws {@link Shortfall}, which undoes the lines held before. */
  private Reservation hold(UUID reservationId, List<Line> sorted) {
    Instant now = clock.instant();
    if (!store.insertReservation(reservationId, HELD, now.plus(reservationTtl), now)) {
      String status =
          store
              .reservationStatus(reservationId)
              .orElseThrow(
                  () -> new IllegalStateException("reservation " + reservationId + " vanished"));
      return status.equals(HELD) || status.equals(COMMITTED)
          ? new Reservation.Held()
          : new Reservation.Released();
    }
    record(
        "InventoryReserved",
        null,
        Map.of("reservationId", reservationId.toString(), "lines", linesJson(sorted)));
    for (Line line : sorted) {
      int q = line.quantity();
      StockLevel after =
          store
              .changeStock(line.sku(), -q, q, now)
              .orElseThrow(
                  () ->
                      new Shortfall(
                          new Reservation.Insufficient(
                              line.sku(),
                              q,
                              store.stock(line.sku()).map(StockLevel::available).orElse(0))));
      int threshold = after.lowStockThreshold();
      if (after.available() <= threshold && after.available() + q > threshold) {
        lowStock(after); // only when this reservation crossed the threshold
      }
      store.insertLine(reservationId, line);
    }
    return new Reservation.Held();
  }

  /**
   * Turns held stock into sold stock. Idempotent.
   *
   * @return true when the reservation is committed, false when it was released or expired first
   */
  public boolean commit(UUID reservationId) {
    return tx.inTransaction(
        () -> {
          if (!store.leaveHeld(reservationId, COMMITTED, clock.instant())) {
            return store.reservationStatus(reservationId).filter(COMMITTED::equals).isPresent();
          }
          returnStock(reservationId, false, "sold");
          return true;
        });
  }

  /**
   * Returns held stock to available. Idempotent; releasing an unknown id records a tombstone so a
   * late reserve under that id holds nothing.
   */
  public void release(UUID reservationId) {
    release(reservationId, "RELEASED");
  }

  /** Releases every held reservation past its expiry; returns how many. */
  public int expireAbandoned() {
    List<UUID> ids = store.expiredHeld(clock.instant(), 200);
    ids.forEach(id -> release(id, "EXPIRED"));
    return ids.size();
  }

  /** The status of a reservation (HELD, COMMITTED, RELEASED, EXPIRED), if it exists. */
  public Optional<String> reservationStatus(UUID reservationId) {
    return store.reservationStatus(reservationId);
  }

  /** The newest {@code limit} events of this context, oldest first. */
  public List<DomainEvent> recentEvents(int limit) {
    return store.recentEvents(limit);
  }

  private void release(UUID reservationId, String finalStatus) {
    tx.inTransaction(
        () -> {
          Instant now = clock.instant();
          if (store.insertReservation(reservationId, finalStatus, now, now)) {
            return; // tombstone: nothing was held
          }
          if (store.leaveHeld(reservationId, finalStatus, now)) {
            returnStock(reservationId, true, finalStatus.toLowerCase(Locale.ROOT));
          }
        });
  }

  /** Takes the reservation's lines out of reserved stock, back to available when {@code back}. */
  private void returnStock(UUID reservationId, boolean back, String reason) {
    for (Line line : store.lines(reservationId)) {
      int q = line.quantity();
      updated(
          store.changeStock(line.sku(), back ? q : 0, -q, clock.instant()).orElseThrow(), reason);
    }
  }

  /** Records what a stock change did: InventoryUpdated, and LowStockAlert when low. */
  private void stockChanged(StockLevel now, String reason) {
    updated(now, reason);
    if (now.available() <= now.lowStockThreshold()) {
      lowStock(now);
    }
  }

  private void updated(StockLevel now, String reason) {
    record(
        "InventoryUpdated",
        now.sku(),
        Map.of(
            "sku", now.sku(),
            "available", now.available(),
            "reserved", now.reserved(),
            "reason", reason));
  }

  private void lowStock(StockLevel now) {
    record(
        "LowStockAlert",
        now.sku(),
        Map.of(
            "sku", now.sku(), "available", now.available(), "threshold", now.lowStockThreshold()));
    if (replenishment != null) {
      openReplenishment(now);
    }
  }

  /**
   * Opens a request for enough units to bring stock back to twice the reorder point (at least one),
   * unless the product has an open one; starts its workflow in this transaction.
   */
  private void openReplenishment(StockLevel now) {
    UUID id = Ids.newId(clock);
    int quantity = (int) Math.max(1, 2L * now.lowStockThreshold() - now.available());
    if (store.insertReplenishment(id, now.sku(), quantity, clock.instant())) {
      record(
          "ReplenishmentRequested",
          now.sku(),
          Map.of("requestId", id.toString(), "sku", now.sku(), "quantity", quantity));
      replenishment.start(id);
    }
  }

  /** Replenishment requests, newest first; only those in {@code status} unless null. */
  public List<Replenishment> replenishments(Replenishment.Status status, int limit) {
    return store.replenishments(status, limit);
  }

  /** The replenishment request {@code id}, if it exists. */
  public Optional<Replenishment> replenishment(UUID id) {
    return store.replenishment(id).map(InventoryStore.StoredReplenishment::request);
  }

  /**
   * Approves a REQUESTED replenishment, for {@code quantity} units or (null) the requested ones;
   * its workflow then waits for the goods.
   *
   * @throws CommerceException.NotFound when there is no such request
   * @throws CommerceException.Conflict when it is not REQUESTED, or its workflow is not waiting for
   *     approval yet or any more
   */
  public Replenishment approve(UUID id, Integer quantity) {
    return advance(id, quantity, Replenishment.Status.REQUESTED, "approved");
  }

  /**
   * Rejects a REQUESTED replenishment for {@code reason} (may be null); its workflow records it
   * REJECTED ({@code ReplenishmentRejected}), and the product's next fall to its reorder point
   * opens a new request.
   *
   * @throws CommerceException.NotFound when there is no such request
   * @throws CommerceException.Conflict when it is not REQUESTED, or its workflow is not waiting for
   *     approval yet or any more
   */
  public Replenishment reject(UUID id, String reason) {
    if (reason != null
        && (reason.length() > 200 || reason.chars().anyMatch(Character::isISOControl))) {
      throw new CommerceException.InvalidInput(
          "$.reason", "reason must be at most 200 characters without control characters");
    }
    String why = reason == null || reason.isBlank() ? "rejected by an operator" : reason.strip();
    return proceed(
        id,
        Replenishment.Status.REQUESTED,
        "rejected",
        (token, r) -> replenishment.reject(token, why));
  }

  /**
   * Receives the goods of an APPROVED replenishment, {@code quantity} units or (null) the approved
   * ones; its workflow then adds them to stock.
   *
   * @throws CommerceException.NotFound when there is no such request
   * @throws CommerceException.Conflict when it is not APPROVED, or its workflow is not waiting for
   *     the goods yet or any more
   */
  public Replenishment receive(UUID id, Integer quantity) {
    return advance(id, quantity, Replenishment.Status.APPROVED, "received");
  }

  /** Moves a request in {@code expected} on with {@code quantity} units (null: the request's). */
  private Replenishment advance(
      UUID id, Integer quantity, Replenishment.Status expected, String verb) {
    if (quantity != null && quantity < 1) {
      throw new CommerceException.InvalidInput(
          "$.quantity", "quantity must be >= 1 but was " + quantity);
    }
    return proceed(
        id,
        expected,
        verb,
        (token, r) -> replenishment.proceed(token, quantity == null ? r.quantity() : quantity));
  }

  /**
   * Ends the step the workflow of request {@code id} waits in with {@code step} (given the step's
   * callback token), holding the request's lock so that one operator action wins.
   */
  private Replenishment proceed(
      UUID id, Replenishment.Status expected, String verb, BiConsumer<String, Replenishment> step) {
    if (replenishment == null) {
      throw new IllegalStateException("this inventory runs no replenishment workflow");
    }
    return tx.inTransaction(
        () -> {
          InventoryStore.StoredReplenishment stored =
              store
                  .lockReplenishment(id)
                  .orElseThrow(() -> new CommerceException.NotFound("no replenishment " + id));
          Replenishment r = stored.request();
          if (r.status() != expected) {
            throw new CommerceException.Conflict(
                "replenishment-" + r.status().name().toLowerCase(Locale.ROOT),
                "replenishment "
                    + id
                    + " is "
                    + r.status()
                    + "; only a "
                    + expected
                    + " one can be "
                    + verb);
          }
          if (stored.taskToken() == null) {
            throw new CommerceException.Conflict(
                "replenishment-not-waiting",
                "replenishment "
                    + id
                    + " is "
                    + r.status()
                    + " but its workflow is not waiting to be "
                    + verb
                    + " (it is moving on); try again in a moment");
          }
          step.accept(stored.taskToken(), r);
          store.clearReplenishmentToken(id, clock.instant());
          return store.replenishment(id).orElseThrow().request();
        });
  }

  /** The workflow of request {@code id} waits for approval on {@code taskToken}. */
  public void awaitApproval(UUID id, String taskToken) {
    store.awaitReplenishment(id, Replenishment.Status.REQUESTED, null, taskToken, clock.instant());
  }

  /**
   * Request {@code id} is approved for {@code quantity}; its workflow waits on {@code taskToken}.
   */
  public void awaitReceipt(UUID id, int quantity, String taskToken) {
    store.awaitReplenishment(
        id, Replenishment.Status.APPROVED, quantity, taskToken, clock.instant());
  }

  /**
   * Adds the {@code quantity} units received for request {@code id} to stock and marks it RECEIVED,
   * once: a repeated call changes nothing.
   *
   * @return the stock after, or empty when the request had been received already
   */
  public Optional<StockLevel> receiveStock(UUID id, int quantity) {
    return tx.inTransaction(
        () -> {
          Replenishment r =
              store
                  .lockReplenishment(id)
                  .orElseThrow(() -> new IllegalStateException("no replenishment " + id))
                  .request();
          if (!store.markReplenishmentReceived(id, quantity, clock.instant())) {
            return Optional.<StockLevel>empty();
          }
          return Optional.of(changeStock(r.sku(), false, quantity, "replenished"));
        });
  }

  /** Records request {@code id} REJECTED for {@code reason}, once. */
  public void recordRejection(UUID id, String reason) {
    tx.inTransaction(
        () -> {
          Replenishment r =
              store
                  .lockReplenishment(id)
                  .orElseThrow(() -> new IllegalStateException("no replenishment " + id))
                  .request();
          if (store.markReplenishmentRejected(id, clock.instant())) {
            record(
                "ReplenishmentRejected",
                r.sku(),
                Map.of("requestId", id.toString(), "sku", r.sku(), "reason", reason));
          }
        });
  }

  /** Keeps an event with the transaction's changes and publishes it once they commit. */
  private void record(String type, String sku, Map<String, Object> payload) {
    DomainEvent e =
        new DomainEvent(
            Ids.newId(clock), type, sku == null ? "" : sku, clock.instant(), 0, payload);
    store.record(e);
    tx.afterCommit(() -> bus.publish(e));
  }

  private static List<Map<String, Object>> linesJson(List<Line> lines) {
    return lines.stream()
        .map(l -> Map.<String, Object>of("sku", l.sku(), "quantity", l.quantity()))
        .toList();
  }

  /** Checks a product's fields, naming the first bad one by JSON path. */
  public static void validate(Product p) {
    if (p.sku() == null || !SKU.matcher(p.sku()).matches()) {
      throw new CommerceException.InvalidInput(
          "$.sku", "sku must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    if (p.name() == null
        || p.name().isBlank()
        || p.name().length() > 200
        || p.name().chars().anyMatch(Character::isISOControl)) {
      throw new CommerceException.InvalidInput(
          "$.name", "name must be 1 to 200 characters without control characters");
    }
    if (p.priceMinor() < 0 || p.priceMinor() > 1_000_000_000_000L) {
      throw new CommerceException.InvalidInput(
          "$.price", "price must be in 0..1000000000000 minor units but was " + p.priceMinor());
    }
    if (p.currency() == null || !CURRENCY.matcher(p.currency()).matches()) {
      throw new CommerceException.InvalidInput(
          "$.currency", "currency must be an ISO 4217 code like EUR");
    }
    if (p.lowStockThreshold() < 0 || p.lowStockThreshold() > 1_000_000) {
      throw new CommerceException.InvalidInput(
          "$.lowStockThreshold",
          "lowStockThreshold must be in 0..1000000 but was " + p.lowStockThreshold());
    }
  }

  /** Carries a shortfall out of the reserving transaction so that it rolls back. */
  private static final class Shortfall extends RuntimeException {
    private final transient Reservation.Insufficient outcome;

    Shortfall(Reservation.Insufficient outcome) {
      super(null, null, false, false);
      this.outcome = outcome;
    }
  }
}
