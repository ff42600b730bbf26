package io.bulwark.commerce.ordering;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An order as its events describe it (write side) or as the projection stored it (read side).
 *
 * @param id order id
 * @param customerId who ordered
 * @param customerName the customer's name when ordering
 * @param items lines with catalog prices
 * @param totalMinor sum of the lines in minor units
 * @param currency ISO 4217 code
 * @param status PENDING, CONFIRMED or FAILED
 * @param reason why it failed, or null
 * @param createdAt when it was placed
 * @param updatedAt last change
 * @param version number of events in its stream (0 when read from a view)
 * @param shippingAddress where it goes; null for an order placed without one
 */
public record Order(
    UUID id,
    UUID customerId,
    String customerName,
    List<OrderItem> items,
    long totalMinor,
    String currency,
    OrderStatus status,
    String reason,
    Instant createdAt,
    Instant updatedAt,
    int version,
    ShippingAddress shippingAddress) {

  /** True once the order can no longer change. */
  public boolean terminal() {
    return status != OrderStatus.PENDING;
  }
}
