package io.bulwark.commerce.payment;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where the payment context remembers each order's payment: what was asked of the gateway and what
 * it answered. Each call takes part in the transaction open on the calling thread ({@link
 * io.bulwark.kernel.Transactions}), or runs on its own.
 */
public interface PaymentStore {

  /**
   * Records a PENDING payment of {@code amountMinor} for {@code orderId} under {@code key}, unless
   * the order has a payment already (then nothing changes).
   */
  void insertPending(
      UUID orderId, String key, UUID customerId, long amountMinor, String currency, Instant at);

  /** The payment of {@code orderId}. */
  Optional<Payment> find(UUID orderId);

  /**
   * Sets the status (and the charge id, when not null) and the reason of {@code orderId}'s payment,
   * counting an attempt.
   */
  void update(UUID orderId, String status, String chargeId, String reason, Instant at);

  /** Records that a refund of {@code orderId} was asked for; false when it has no payment. */
  boolean requestRefund(UUID orderId, Instant at);

  /** Whether a refund of {@code orderId} was asked for. */
  boolean refundRequested(UUID orderId);

  /** Up to {@code limit} orders whose refund was asked for and is not settled yet. */
  List<UUID> refundsDue(int limit);
}
