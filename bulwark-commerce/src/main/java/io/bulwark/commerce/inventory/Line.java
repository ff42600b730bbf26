package io.bulwark.commerce.inventory;

/**
 * A quantity of one product in a reservation.
 *
 * @param sku the product
 * @param quantity units, at least 1
 */
public record Line(String sku, int quantity) {}
