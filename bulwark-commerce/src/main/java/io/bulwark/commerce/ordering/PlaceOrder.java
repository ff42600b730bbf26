package io.bulwark.commerce.ordering;

import java.util.List;
import java.util.UUID;

/**
 * The command to place an order (CreateOrderCommand in the seed).
 *
 * @param customerId who orders (from the access token, never from the body)
 * @param lines requested skus and quantities, as sent
 * @param idempotencyKey the client's key, or null
 */
public record PlaceOrder(UUID customerId, List<Line> lines, String idempotencyKey) {

  /**
   * A requested line.
   *
   * @param sku product
   * @param quantity units
   */
  public record Line(String sku, int quantity) {}
}
