package io.bulwark.commerce.inventory;

/**
 * Stock of one product.
 *
 * @param sku the product
 * @param available units that can still be reserved
 * @param reserved units held by open reservations
 * @param lowStockThreshold alert level
 */
public record StockLevel(String sku, int available, int reserved, int lowStockThreshold) {}
