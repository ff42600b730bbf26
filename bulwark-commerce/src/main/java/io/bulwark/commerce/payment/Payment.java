package io.bulwark.commerce.payment;

import java.util.UUID;

/**
 * The payment of one order.
 *
 * @param orderId the order paid for
 * @param customerId who pays
 * @param amountMinor amount in minor units
 * @param currency ISO 4217 code
 * @param status PENDING, CHARGED, DECLINED, REFUNDED, VOIDED or UNKNOWN (gateway unreachable)
 * @param chargeId the gateway's charge id, when charged
 * @param reason why it was declined, when it was
 */
public record Payment(
    UUID orderId,
    UUID customerId,
    long amountMinor,
    String currency,
    String status,
    String chargeId,
    String reason) {}
