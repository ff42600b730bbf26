package io.bulwark.commerce.ordering;

/**
 * A saga task failed with a named error type that retry and catch rules match on, as in Amazon
 * States Language: {@code InsufficientStockError}, {@code PaymentFailedError}, {@code
 * ReservationExpiredError}, {@code OrderClosedError}, or {@code ServiceUnavailableError} for
 * transient failures worth retrying (the seed's Retry on {@code States.TaskFailed} matches it, as
 * it matches every error a task raises).
 */
public final class TaskFailure extends RuntimeException {

  /** Inventory or payment could not be reached: transient, worth retrying. */
  public static final String UNAVAILABLE = "ServiceUnavailableError";

  /** Not enough stock for the order. */
  public static final String INSUFFICIENT_STOCK = "InsufficientStockError";

  /** The payment was declined or could not be taken. */
  public static final String PAYMENT_FAILED = "PaymentFailedError";

  /** The stock hold lapsed before the order could be confirmed. */
  public static final String RESERVATION_EXPIRED = "ReservationExpiredError";

  /** The order is already CONFIRMED or FAILED (a redriven or foreign execution). */
  public static final String ORDER_CLOSED = "OrderClosedError";

  /** The execution does not belong to an existing order. */
  public static final String ORDER_NOT_FOUND = "OrderNotFoundError";

  private final String type;

  /** A failure of {@code type} explained by {@code cause}. */
  public TaskFailure(String type, String cause, Throwable source) {
    super(cause, source);
    this.type = type;
  }

  /** The error type. */
  public String type() {
    return type;
  }

  /** The human-readable cause. */
  public String causeText() {
    return getMessage();
  }
}
