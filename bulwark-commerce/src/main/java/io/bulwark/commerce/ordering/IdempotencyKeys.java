package io.bulwark.commerce.ordering;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code Idempotency-Key}s customers placed orders with: each key of a customer stands for one
 * request (by a hash of its lines) and the order it created. Each call takes part in the
 * transaction open on the calling thread ({@link io.bulwark.kernel.Transactions}), or runs on its
 * own.
 */
public interface IdempotencyKeys {

  /**
   * An earlier use of a key.
   *
   * @param requestHash the hash of the request it was used for
   * @param orderId the order that request created
   */
  record Use(String requestHash, UUID orderId) {}

  /** The use of {@code key} by {@code customerId}, if any. */
  Optional<Use> find(UUID customerId, String key);

  /**
   * Claims {@code key} of {@code customerId} for the request hashed {@code requestHash} that
   * creates {@code orderId}, unless it was used already.
   *
   * @return empty when claimed now; else the earlier use, which stays
   */
  Optional<Use> claim(UUID customerId, String key, String requestHash, UUID orderId, Instant at);
}
