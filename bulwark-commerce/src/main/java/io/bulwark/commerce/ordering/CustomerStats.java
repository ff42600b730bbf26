package io.bulwark.commerce.ordering;

import java.time.Instant;
import java.util.UUID;

/**
 * A customer's order statistics, maintained by the order projection.
 *
 * @param customerId the customer
 * @param customerName name at the last order
 * @param orderCount orders placed
 * @param confirmedCount orders confirmed
 * @param failedCount orders failed
 * @param totalSpentMinor sum of confirmed orders in minor units
 * @param averageOrderValueMinor total spent divided by confirmed orders (0 when none)
 * @param currency currency of the amounts, null before the first order
 * @param lastOrderId newest order, or null
 * @param lastOrderAt when it was placed, or null
 */
public record CustomerStats(
    UUID customerId,
    String customerName,
    int orderCount,
    int confirmedCount,
    int failedCount,
    long totalSpentMinor,
    long averageOrderValueMinor,
    String currency,
    UUID lastOrderId,
    Instant lastOrderAt) {}
