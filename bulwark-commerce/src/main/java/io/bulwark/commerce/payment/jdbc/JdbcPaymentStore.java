package io.bulwark.commerce.payment.jdbc;

import io.bulwark.commerce.payment.Payment;
import io.bulwark.commerce.payment.PaymentStore;
import io.bulwark.postgres.PostgresTransactions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The {@link PaymentStore} in PostgreSQL: table {@code payment_payments}. */
public final class JdbcPaymentStore implements PaymentStore {

  private final PostgresTransactions tx;

  /** A store working in {@code tx}'s database and transactions. */
  public JdbcPaymentStore(PostgresTransactions tx) {
    this.tx = tx;
  }

  @Override
  public void insertPending(
      UUID orderId, String key, UUID customerId, long amountMinor, String currency, Instant at) {
    tx.update(
        "insert into payment_payments (order_id, idempotency_key, customer_id, amount_minor,"
            + " currency, status, created_at, updated_at) values (?,?,?,?,?,'PENDING',?,?) on"
            + " conflict (order_id) do nothing",
        orderId,
        key,
        customerId,
        amountMinor,
        currency,
        at,
        at);
  }

  @Override
  public Optional<Payment> find(UUID orderId) {
    return tx.queryFirst(
        "select order_id, customer_id, amount_minor, currency, status, charge_id, reason from"
            + " payment_payments where order_id = ?",
        rs ->
            new Payment(
                rs.getObject(1, UUID.class),
                rs.getObject(2, UUID.class),
                rs.getLong(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7)),
        orderId);
  }

  @Override
  public void update(UUID orderId, String status, String chargeId, String reason, Instant at) {
    tx.update(
        "update payment_payments set status = ?, charge_id = coalesce(?, charge_id), reason = ?,"
            + " attempts = attempts + 1, updated_at = ? where order_id = ?",
        status,
        chargeId,
        reason,
        at,
        orderId);
  }

  @Override
  public boolean requestRefund(UUID orderId, Instant at) {
    return tx.update(
            "update payment_payments set refund_requested = true, updated_at = ? where order_id"
                + " = ?",
            at,
            orderId)
        > 0;
  }

  @Override
  public boolean refundRequested(UUID orderId) {
    return tx.queryFirst(
            "select refund_requested from payment_payments where order_id = ?",
            rs -> rs.getBoolean(1),
            orderId)
        .orElse(false);
  }

  @Override
  public List<UUID> refundsDue(int limit) {
    return tx.query(
        "select order_id from payment_payments where refund_requested and status not in"
            + " ('REFUNDED', 'VOIDED', 'DECLINED') limit ?",
        rs -> rs.getObject(1, UUID.class),
        limit);
  }
}
