package io.bulwark.commerce.ordering;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The order saga's task functions, one per Task state of the seed's state machine: {@code
 * ReserveInventory}, {@code ProcessPayment}, {@code ConfirmOrder}, {@code HandleInventoryFailure}
 * and {@code CompensateInventory}. Each is idempotent per order, so a durable runner may repeat any
 * of them after a crash; each fails with a {@link TaskFailure} whose type Retry/Catch rules match.
 * {@link OrderSagaFunctions} exposes them to the state-machine engine as Lambda functions.
 */
public final class OrderSagaTasks {

  /** Task state names, as in the state machine definition. */
  public static final String RESERVE_INVENTORY = "ReserveInventory";

  public static final String PROCESS_PAYMENT = "ProcessPayment";
  public static final String CONFIRM_ORDER = "ConfirmOrder";
  public static final String HANDLE_INVENTORY_FAILURE = "HandleInventoryFailure";
  public static final String COMPENSATE_INVENTORY = "CompensateInventory";

  private final Stock stock;
  private final Billing billing;

  /** Tasks acting through the inventory and payment ports. */
  public OrderSagaTasks(Stock stock, Billing billing) {
    this.stock = stock;
    this.billing = billing;
  }

  /** Holds the order's stock; fails with {@code InsufficientStockError} when it is short. */
  public Map<String, Object> reserveInventory(Order order) {
    Map<String, Integer> quantities = new LinkedHashMap<>();
    order.items().forEach(i -> quantities.put(i.sku(), i.quantity()));
    String shortfall;
    try {
      shortfall = stock.reserve(order.id(), quantities);
    } catch (RuntimeException e) {
      throw new TaskFailure(TaskFailure.UNAVAILABLE, "inventory unavailable: " + e.getMessage(), e);
    }
    if (shortfall != null) {
      throw new TaskFailure(TaskFailure.INSUFFICIENT_STOCK, shortfall, null);
    }
    return Map.of("reserved", true);
  }

  /** Charges the order total; fails with {@code PaymentFailedError} when declined. */
  public Map<String, Object> processPayment(Order order) {
    return charged(
        payment(
            () ->
                billing.charge(
                    order.id(), order.customerId(), order.totalMinor(), order.currency())));
  }

  /**
   * The first part of {@link #processPayment} split around the call to the payment network, in the
   * caller's transaction: the charge id when the order was already charged, else null.
   */
  public String openPayment(Order order) {
    return payment(
        () ->
            billing.openCharge(
                order.id(), order.customerId(), order.totalMinor(), order.currency()));
  }

  /** The second part: charges the order total (outside any transaction). */
  public Map<String, Object> requestPayment(
      UUID orderId, UUID customerId, long totalMinor, String currency) {
    return charged(payment(() -> billing.requestCharge(orderId, customerId, totalMinor, currency)));
  }

  /** The third part: records the approved charge, in the caller's transaction. */
  public void recordPayment(UUID orderId, String chargeId) {
    payment(
        () -> {
          billing.recordCharge(orderId, chargeId);
          return null;
        });
  }

  private static Map<String, Object> charged(String chargeId) {
    return Map.of("chargeId", chargeId);
  }

  private static <T> T payment(Supplier<T> call) {
    try {
      return call.get();
    } catch (Billing.Declined e) {
      throw new TaskFailure(TaskFailure.PAYMENT_FAILED, "payment declined: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new TaskFailure(TaskFailure.UNAVAILABLE, "payment unavailable: " + e.getMessage(), e);
    }
  }

  /** Commits the stock hold; fails with {@code ReservationExpiredError} when it lapsed. */
  public Map<String, Object> confirmOrder(Order order) {
    boolean committed;
    try {
      committed = stock.commit(order.id());
    } catch (RuntimeException e) {
      throw new TaskFailure(TaskFailure.UNAVAILABLE, "inventory unavailable: " + e.getMessage(), e);
    }
    if (!committed) {
      throw new TaskFailure(
          TaskFailure.RESERVATION_EXPIRED,
          "stock reservation expired before the order could be confirmed",
          null);
    }
    return Map.of("confirmed", true);
  }

  /** Makes sure nothing stays held for an order that could not get its stock. */
  public Map<String, Object> handleInventoryFailure(Order order) {
    try {
      stock.release(order.id());
    } catch (RuntimeException e) {
      throw new TaskFailure(TaskFailure.UNAVAILABLE, "inventory unavailable: " + e.getMessage(), e);
    }
    return Map.of("released", true);
  }

  /** Releases the order's stock and refunds (or voids) its payment. */
  public Map<String, Object> compensateInventory(Order order) {
    RuntimeException first = null;
    try {
      stock.release(order.id());
    } catch (RuntimeException e) {
      first = e;
    }
    try {
      billing.refund(order.id());
    } catch (RuntimeException e) {
      if (first == null) {
        first = e;
      } else {
        first.addSuppressed(e);
      }
    }
    if (first != null) {
      throw new TaskFailure(
          TaskFailure.UNAVAILABLE, "compensation incomplete: " + first.getMessage(), first);
    }
    return Map.of("released", true, "refunded", true);
  }

  /** Runs the task named {@code state} for {@code order}. */
  public Map<String, Object> run(String state, Order order) {
    return switch (state) {
      case RESERVE_INVENTORY -> reserveInventory(order);
      case PROCESS_PAYMENT -> processPayment(order);
      case CONFIRM_ORDER -> confirmOrder(order);
      case HANDLE_INVENTORY_FAILURE -> handleInventoryFailure(order);
      case COMPENSATE_INVENTORY -> compensateInventory(order);
      default -> throw new IllegalArgumentException("no saga task named " + state);
    };
  }
}
