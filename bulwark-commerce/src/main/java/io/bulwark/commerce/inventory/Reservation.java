package io.bulwark.commerce.inventory;

/** What became of a reservation request. */
public sealed interface Reservation {

  /** Stock is held (or was already held or committed under this reservation id). */
  record Held() implements Reservation {}

  /**
   * Not enough stock; nothing was held.
   *
   * @param sku the first product that fell short
   * @param requested units asked for
   * @param available units that were available
   */
  record Insufficient(String sku, int requested, int available) implements Reservation {}

  /** The reservation id was already released or expired; it cannot hold stock again. */
  record Released() implements Reservation {}
}
