package io.bulwark.commerce.payment;

/**
 * The port to a card network. Implementations must be safe to retry: a charge under an idempotency
 * key that already charged returns that charge instead of charging again.
 */
public interface PaymentGateway {

  /**
   * Charges {@code amountMinor} once per {@code idempotencyKey}.
   *
   * @throws PaymentUnavailable when the gateway cannot be reached or keeps failing; the charge may
   *     or may not have happened, so callers either retry with the same key or refund by key
   */
  ChargeOutcome charge(String idempotencyKey, String reference, long amountMinor, String currency);

  /**
   * Refunds whatever was charged under {@code idempotencyKey}; when nothing was, voids the key so
   * that a late charge under it is declined.
   *
   * @return {@code REFUNDED}, {@code VOIDED} or {@code NOTHING_TO_REFUND}
   * @throws PaymentUnavailable when the gateway cannot be reached
   */
  String refund(String idempotencyKey);

  /** What became of a charge. */
  sealed interface ChargeOutcome {
    /** Money was taken. */
    record Approved(String chargeId) implements ChargeOutcome {}

    /** The card network said no; retrying will not help. */
    record Declined(String reason) implements ChargeOutcome {}
  }

  /** The gateway could not be reached or answered with a transient error. */
  final class PaymentUnavailable extends RuntimeException {
    /** {@code detail} says what failed. */
    public PaymentUnavailable(String detail, Throwable cause) {
      super(detail, cause);
    }
  }
}
