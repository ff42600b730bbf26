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

  /**
   * The first of a charge's three parts, for a caller that commits them with writes of its own
   * ({@link #charge} is the three in one): records in the caller's open transaction that the order
   * is being charged. Then {@link #requestCharge} asks the payment network, outside any
   * transaction, and {@link #recordCharge} records an approval in the caller's next transaction.
   * Default: records nothing.
   *
   * @return the charge id when the order was already charged, else null (ask the network)
   * @throws Declined when the payment was already refused (final)
   */
  default String openCharge(UUID orderId, UUID customerId, long amountMinor, String currency) {
    return null;
  }

  /**
   * The second part of a charge: asks the payment network (idempotently), recording a refusal or a
   * failure itself but leaving an approval to {@link #recordCharge}. Default: {@link #charge}.
   *
   * @return the charge id
   * @throws Declined when the payment was refused (final)
   * @throws RuntimeException any other failure is transient; the saga retries it
   */
  default String requestCharge(UUID orderId, UUID customerId, long amountMinor, String currency) {
    return charge(orderId, customerId, amountMinor, currency);
  }

  /** The third part of a charge: records the approved {@code chargeId}. Default: nothing. */
  default void recordCharge(UUID orderId, String chargeId) {}

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
