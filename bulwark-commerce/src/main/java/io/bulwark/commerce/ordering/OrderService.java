package io.bulwark.commerce.ordering;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.kernel.Ids;
import io.bulwark.kernel.Transactions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The command side of ordering. Placing an order validates it (customer exists, products exist,
 * quantities in range, prices from the catalog), then in one transaction records the idempotency
 * key, appends {@code OrderPlaced} to the order's stream and starts its saga. The order is
 * acknowledged only after that commit, so an acknowledged order always reaches a terminal state.
 * Before that transaction, the {@link OrderIntake} admits the order or refuses it (503) with
 * nothing written; a replayed idempotency key is answered even when the intake is full.
 */
public final class OrderService {

  /** Most lines in one order. */
  public static final int MAX_LINES = 50;

  /** Most units of one product in one order. */
  public static final int MAX_QUANTITY = 1000;

  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,200}");

  private final IdempotencyKeys keys;
  private final OrderLog orderLog;
  private final Transactions tx;
  private final Customers customers;
  private final Catalog catalog;
  private final Clock clock;
  private final SagaStarter saga;
  private final Runnable onPlaced;
  private final EventBus bus;
  private final OrderIntake intake;

  /** Starts the saga of a new order inside the transaction that places it. */
  @FunctionalInterface
  public interface SagaStarter {
    /**
     * Starts {@code orderId}'s saga in the transaction open on this thread ({@link Transactions}),
     * so that it starts exactly when that transaction commits.
     */
    void start(UUID orderId, boolean vip);
  }

  /**
   * The command side, keeping keys in {@code keys} and events in {@code orderLog} within {@code
   * tx}; {@code saga} starts each order's saga in the order's transaction, {@code onPlaced} runs
   * after each new order commits (wakes the saga's workers), {@code OrderPlaced} is published on
   * {@code bus}, and {@code intake} admits or refuses each new order.
   */
  public OrderService(
      IdempotencyKeys keys,
      OrderLog orderLog,
      Transactions tx,
      Customers customers,
      Catalog catalog,
      Clock clock,
      SagaStarter saga,
      Runnable onPlaced,
      EventBus bus,
      OrderIntake intake) {
    this.keys = keys;
    this.orderLog = orderLog;
    this.tx = tx;
    this.customers = customers;
    this.catalog = catalog;
    this.clock = clock;
    this.saga = saga;
    this.onPlaced = onPlaced;
    this.bus = bus;
    this.intake = intake;
  }

  /**
   * The outcome of placing an order.
   *
   * @param order the order as placed (PENDING) or, for a replayed key, as it stands now
   * @param replayed true when the idempotency key had been used for the same request
   */
  public record Placed(Order order, boolean replayed) {}

  /**
   * Places an order.
   *
   * @throws CommerceException.InvalidInput for a bad line or key, naming the field
   * @throws CommerceException.Unprocessable for an unknown customer or product
   * @throws CommerceException.Conflict when the idempotency key was used for a different request
   * @throws CommerceException.Unavailable when the order intake is full for the customer's lane
   */
  public Placed place(PlaceOrder cmd) {
    Instant arrived = clock.instant();
    validate(cmd);
    String hash = hash(cmd.lines(), cmd.shippingAddress());
    // one transaction reads what the order needs and records it; the admission is taken once
    // (a retried transaction keeps it) and held until the transaction has ended
    AtomicReference<OrderIntake.Admission> admission = new AtomicReference<>();
    try {
      Placed placed =
          tx.inTransaction(
              () -> {
                if (cmd.idempotencyKey() != null) {
                  Optional<Placed> earlier = replay(cmd, hash);
                  if (earlier.isPresent()) {
                    return earlier.get(); // a replay is never refused for capacity
                  }
                }
                Priced order = priced(cmd);
                if (admission.get() == null) {
                  admission.set(intake.admit(order.customer().vip()));
                }
                return record(cmd, hash, order);
              });
      if (!placed.replayed()) {
        admission.get().accepted(Duration.between(arrived, clock.instant()));
      }
      return placed;
    } finally {
      if (admission.get() != null) {
        admission.get().close();
      }
    }
  }

  /** Records the new order, in the transaction open on this thread. */
  private Placed record(PlaceOrder cmd, String hash, Priced order) {
    UUID id = Ids.newId(clock);
    if (cmd.idempotencyKey() != null) {
      Optional<IdempotencyKeys.Use> earlier =
          keys.claim(cmd.customerId(), cmd.idempotencyKey(), hash, id, clock.instant());
      if (earlier.isPresent()) { // the same key, placed concurrently: that order
        return new Placed(order(sameRequest(cmd, hash, earlier.get())).orElseThrow(), true);
      }
    }
    Customers.Customer customer = order.customer();
    List<DomainEvent> placed =
        orderLog.append(
            id,
            0,
            List.of(
                new OrderLog.Pending(
                    OrderEvents.PLACED,
                    OrderEvents.placed(
                        customer,
                        order.items(),
                        order.totalMinor(),
                        order.currency(),
                        cmd.shippingAddress()))));
    saga.start(id, customer.vip());
    tx.afterCommit(
        () -> {
          onPlaced.run();
          placed.forEach(bus::publish);
        });
    // the order was placed when its OrderPlaced was recorded: the 202 shows what reads will show
    Instant placedAt = placed.getFirst().occurredAt();
    return new Placed(
        new Order(
            id,
            customer.id(),
            customer.name(),
            List.copyOf(order.items()),
            order.totalMinor(),
            order.currency(),
            OrderStatus.PENDING,
            null,
            placedAt,
            placedAt,
            1,
            cmd.shippingAddress()),
        false);
  }

  /** What an order is built from: its customer and its lines priced from the catalog. */
  private record Priced(
      Customers.Customer customer, List<OrderItem> items, String currency, long totalMinor) {}

  private Priced priced(PlaceOrder cmd) {
    Customers.Customer customer =
        customers
            .find(cmd.customerId())
            .orElseThrow(
                () ->
                    new CommerceException.Unprocessable(
                        "unknown-customer",
                        null,
                        "customer " + cmd.customerId() + " does not exist"));
    List<String> skus = cmd.lines().stream().map(PlaceOrder.Line::sku).toList();
    Map<String, Catalog.Entry> products = catalog.find(skus);
    List<OrderItem> items = new ArrayList<>();
    String currency = null;
    long total = 0;
    for (int i = 0; i < cmd.lines().size(); i++) {
      PlaceOrder.Line line = cmd.lines().get(i);
      Catalog.Entry p = products.get(line.sku());
      if (p == null) {
        throw new CommerceException.Unprocessable(
            "unknown-product",
            "$.items[" + i + "].sku",
            "no product with sku \"" + abbreviate(line.sku()) + "\"");
      }
      if (currency != null && !currency.equals(p.currency())) {
        throw new CommerceException.Unprocessable(
            "mixed-currencies",
            "$.items[" + i + "].sku",
            "all items must share one currency; " + p.sku() + " is priced in " + p.currency());
      }
      currency = p.currency();
      OrderItem item = new OrderItem(p.sku(), p.name(), line.quantity(), p.priceMinor());
      try {
        total = Math.addExact(total, item.lineTotalMinor());
      } catch (ArithmeticException e) {
        throw new CommerceException.InvalidInput("$.items", "order total is too large", e);
      }
      items.add(item);
    }
    return new Priced(customer, items, currency, total);
  }

  /** The order as its event stream says now (the write model), if it exists. */
  public Optional<Order> order(UUID id) {
    return orderLog.order(id);
  }

  private Optional<Placed> replay(PlaceOrder cmd, String hash) {
    return keys.find(cmd.customerId(), cmd.idempotencyKey())
        .map(use -> new Placed(order(sameRequest(cmd, hash, use)).orElseThrow(), true));
  }

  /** The order of an earlier use of the command's key; a conflict when it was another request. */
  private static UUID sameRequest(PlaceOrder cmd, String hash, IdempotencyKeys.Use earlier) {
    if (!earlier.requestHash().equals(hash)) {
      throw keyConflict(cmd);
    }
    return earlier.orderId();
  }

  private static CommerceException keyConflict(PlaceOrder cmd) {
    return new CommerceException.Conflict(
        "idempotency-key-reused",
        "Idempotency-Key \""
            + abbreviate(cmd.idempotencyKey())
            + "\" was already used for a different request");
  }

  private static void validate(PlaceOrder cmd) {
    if (cmd.idempotencyKey() != null && !KEY.matcher(cmd.idempotencyKey()).matches()) {
      throw new CommerceException.InvalidInput(
          "Idempotency-Key", "Idempotency-Key must be 1 to 200 printable ASCII characters");
    }
    List<PlaceOrder.Line> lines = cmd.lines();
    if (lines == null || lines.isEmpty() || lines.size() > MAX_LINES) {
      throw new CommerceException.InvalidInput(
          "$.items", "items must hold 1 to " + MAX_LINES + " lines");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      PlaceOrder.Line l = lines.get(i);
      if (l.sku() == null || l.sku().isBlank() || l.sku().length() > 64) {
        throw new CommerceException.InvalidInput(
            "$.items[" + i + "].sku", "sku is required (1 to 64 characters)");
      }
      if (l.quantity() < 1 || l.quantity() > MAX_QUANTITY) {
        throw new CommerceException.InvalidInput(
            "$.items[" + i + "].quantity",
            "quantity must be in 1.." + MAX_QUANTITY + " but was " + l.quantity());
      }
      if (!seen.add(l.sku())) {
        throw new CommerceException.InvalidInput(
            "$.items[" + i + "].sku",
            "sku \"" + abbreviate(l.sku()) + "\" appears twice; combine the quantities");
      }
    }
  }

  private static String hash(List<PlaceOrder.Line> lines, ShippingAddress address) {
    StringBuilder sb = new StringBuilder();
    for (PlaceOrder.Line l : lines) {
      sb.append(l.sku().length()).append(':').append(l.sku()).append('=').append(l.quantity());
      sb.append(';');
    }
    if (address != null) {
      // an address changes the request: the same key with another address is a conflict
      sb.append("address=").append(address.toMap());
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
  }
}
