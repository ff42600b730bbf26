package io.bulwark.commerce.ordering;

import java.util.List;
import java.util.UUID;

/**
 * The command to place an order (CreateOrderCommand in the seed).
 *
 * @param customerId who orders (from the access token, never from the body)
 * @param lines requested skus and quantities, as sent
 * @param idempotencyKey the client's key, or null
 * @param shippingAddress where it goes, or null when the client sent none
 */
public record PlaceOrder(
    UUID customerId, List<Line> lines, String idempotencyKey, ShippingAddress shippingAddress) {

  /** An order without a shipping address. */
  public PlaceOrder(UUID customerId, List<Line> lines, String idempotencyKey) {
    this(customerId, lines, idempotencyKey, null);
  }

  /**
   * A requested line.
   *
   * @param sku product
   * @param quantity units
   */
  public record Line(String sku, int quantity) {}
}
