package io.bulwark.commerce.ordering;

/** Where an order stands: PENDING until its saga ends in CONFIRMED or FAILED. */
public enum OrderStatus {
  /** Accepted; the saga is running. */
  PENDING,
  /** Stock committed and payment taken. */
  CONFIRMED,
  /** Not fulfilled; stock released and any charge refunded. The order's reason says why. */
  FAILED
}
