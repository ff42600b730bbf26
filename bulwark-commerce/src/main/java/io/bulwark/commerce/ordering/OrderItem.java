package io.bulwark.commerce.ordering;

/**
 * One line of an order, priced from the catalog when the order was placed.
 *
 * @param sku product
 * @param name product name at order time
 * @param quantity units
 * @param unitPriceMinor catalog price per unit in minor units
 */
public record OrderItem(String sku, String name, int quantity, long unitPriceMinor) {

  /** {@code quantity * unitPriceMinor}. */
  public long lineTotalMinor() {
    return Math.multiplyExact(unitPriceMinor, (long) quantity);
  }
}
