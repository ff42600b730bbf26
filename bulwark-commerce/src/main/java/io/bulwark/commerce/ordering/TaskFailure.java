package io.bulwark.commerce.ordering;

/**
 * A saga task failed with a named error type that retry and catch rules match on, as in Amazon
 * States Language: {@code InsufficientStockError}, {@code PaymentFailedError}, {@code
 * ReservationExpiredError}, or {@code States.TaskFailed} for transient failures worth retrying.
 */
public final class TaskFailure extends RuntimeException {

  /** Transient failure; the saga retries the task with backoff. */
  public static final String TASK_FAILED = "States.TaskFailed";

  /** Not enough stock for the order. */
  public static final String INSUFFICIENT_STOCK = "InsufficientStockError";

  /** The payment was declined or could not be taken. */
  public static final String PAYMENT_FAILED = "PaymentFailedError";

  /** The stock hold lapsed before the order could be confirmed. */
  public static final String RESERVATION_EXPIRED = "ReservationExpiredError";

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
