package io.bulwark.commerce.inventory;

/**
 * A catalog entry.
 *
 * @param sku stock keeping unit, the product's key
 * @param name display name
 * @param priceMinor price in minor currency units (cents)
 * @param currency ISO 4217 code
 * @param lowStockThreshold a {@code LowStockAlert} fires when available stock falls to this
 */
public record Product(
    String sku, String name, long priceMinor, String currency, int lowStockThreshold) {}
