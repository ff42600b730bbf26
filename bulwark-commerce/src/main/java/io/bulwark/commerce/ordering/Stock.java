package io.bulwark.commerce.ordering;

import java.util.Map;
import java.util.UUID;

/** Ordering's command port to inventory. Every command is idempotent per order id. */
public interface Stock {

  /**
   * Holds the quantities (by sku) for {@code orderId}.
   *
   * @return null when held, otherwise a sentence explaining the shortfall
   */
  String reserve(UUID orderId, Map<String, Integer> quantities);

  /** Turns the hold into a sale; false when the hold had already expired or been released. */
  boolean commit(UUID orderId);

  /** Gives the held stock back (no-op when nothing is held). */
  void release(UUID orderId);
}
