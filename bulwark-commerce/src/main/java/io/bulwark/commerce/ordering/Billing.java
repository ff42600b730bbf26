package io.bulwark.commerce.ordering;

import java.util.UUID;

/** Ordering's command port to payment. Every command is idempotent per order id. */
public interface Billing {

  /**
   * Charges the order.
   *
   * @return the charge id
   * @throws Declined when the payment was refused (final)
   * @throws RuntimeException any other failure is transient; the saga retries it
   */
  String charge(UUID orderId, UUID customerId, long amountMinor, String currency);

  /** Refunds whatever was charged for the order; throws when the gateway is unreachable. */
  void refund(UUID orderId);

  /** The payment was refused. */
  final class Declined extends RuntimeException {
    /** {@code reason} as the gateway gave it. */
    public Declined(String reason) {
      super(reason);
    }
  }
}
