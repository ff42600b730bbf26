package io.bulwark.commerce.payment;

import static io.bulwark.commerce.internal.Transactions.ts;

import io.bulwark.commerce.internal.Transactions;
import io.bulwark.commerce.payment.PaymentGateway.ChargeOutcome;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The payment context: charges an order's amount through the {@link PaymentGateway} under the
 * idempotency key {@code order-<id>} and remembers the outcome, so a saga step that runs again
 * after a crash neither charges twice nor forgets a charge.
 */
public final class Payments {

  private final Transactions tx;
  private final PaymentGateway gateway;
  private final Clock clock;

  /** Payments recorded in {@code dataSource}, charged through {@code gateway}. */
  public Payments(DataSource dataSource, PaymentGateway gateway, Clock clock) {
    this.tx = new Transactions(dataSource);
    this.gateway = gateway;
    this.clock = clock;
  }

  /** The idempotency key every charge and refund of {@code orderId} uses. */
  public static String key(UUID orderId) {
    return "order-" + orderId;
  }

  /**
   * Charges the order once.
   *
   * @throws PaymentGateway.PaymentUnavailable when the gateway cannot say; retrying is safe
   */
  public ChargeOutcome charge(UUID orderId, UUID customerId, long amountMinor, String currency) {
    Instant now = clock.instant();
    tx.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "insert into payment_payments (order_id, idempotency_key, customer_id,"
                      + " amount_minor, currency, status, created_at, updated_at) values"
                      + " (?,?,?,?,?,'PENDING',?,?) on conflict (order_id) do nothing")) {
            ps.setObject(1, orderId);
            ps.setString(2, key(orderId));
            ps.setObject(3, customerId);
            ps.setLong(4, amountMinor);
            ps.setString(5, currency);
            ps.setTimestamp(6, ts(now));
            ps.setTimestamp(7, ts(now));
            return ps.executeUpdate();
          }
        });
    Payment p = payment(orderId).orElseThrow();
    switch (p.status()) {
      case "CHARGED" -> {
        return new ChargeOutcome.Approved(p.chargeId());
      }
      case "DECLINED" -> {
        return new ChargeOutcome.Declined(p.reason());
      }
      case "REFUNDED", "VOIDED" -> {
        return new ChargeOutcome.Declined("payment was already " + p.status().toLowerCase());
      }
      default -> {
        // PENDING or UNKNOWN: ask the gateway (idempotently)
      }
    }
    ChargeOutcome outcome;
    try {
      outcome = gateway.charge(key(orderId), orderId.toString(), amountMinor, currency);
    } catch (PaymentGateway.PaymentUnavailable e) {
      update(orderId, "UNKNOWN", null, e.getMessage());
      throw e;
    }
    switch (outcome) {
      case ChargeOutcome.Approved a -> update(orderId, "CHARGED", a.chargeId(), null);
      case ChargeOutcome.Declined d -> update(orderId, "DECLINED", null, d.reason());
    }
    return outcome;
  }

  /**
   * Records durably that whatever was charged for the order must be given back, then tries the
   * gateway once. When the gateway is unreachable the request stays recorded and {@link
   * #retryRefunds()} completes it later, so compensation never waits on the card network.
   */
  public void refund(UUID orderId) {
    int marked =
        tx.inTransaction(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "update payment_payments set refund_requested = true, updated_at = ? where"
                          + " order_id = ?")) {
                ps.setTimestamp(1, ts(clock.instant()));
                ps.setObject(2, orderId);
                return ps.executeUpdate();
              }
            });
    if (marked == 0) {
      return; // no charge was ever attempted for this order
    }
    try {
      refundNow(orderId);
    } catch (PaymentGateway.PaymentUnavailable e) {
      // recorded; retryRefunds() finishes it
    }
  }

  /** Retries every recorded refund the gateway has not confirmed yet; returns how many are done. */
  public int retryRefunds() {
    java.util.List<UUID> due =
        tx.read(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "select order_id from payment_payments where refund_requested and status not"
                          + " in ('REFUNDED', 'VOIDED', 'DECLINED') limit 100")) {
                java.util.List<UUID> out = new java.util.ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    out.add(rs.getObject(1, UUID.class));
                  }
                }
                return out;
              }
            });
    int done = 0;
    for (UUID id : due) {
      try {
        refundNow(id);
        done++;
      } catch (PaymentGateway.PaymentUnavailable e) {
        break; // the gateway is down; try again on the next round
      }
    }
    return done;
  }

  private void refundNow(UUID orderId) {
    Payment p = payment(orderId).orElseThrow();
    if (p.status().equals("DECLINED")
        || p.status().equals("REFUNDED")
        || p.status().equals("VOIDED")) {
      return;
    }
    String result = gateway.refund(key(orderId));
    String status =
        switch (result) {
          case "REFUNDED" -> "REFUNDED";
          case "VOIDED" -> "VOIDED";
          default -> "DECLINED";
        };
    update(orderId, status, null, p.reason());
  }

  /** True when a refund was requested for the order. */
  public boolean refundRequested(UUID orderId) {
    return tx.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select refund_requested from payment_payments where order_id = ?")) {
            ps.setObject(1, orderId);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() && rs.getBoolean(1);
            }
          }
        });
  }

  /** The payment of {@code orderId}, if one was attempted. */
  public Optional<Payment> payment(UUID orderId) {
    return tx.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select order_id, customer_id, amount_minor, currency, status, charge_id, reason"
                      + " from payment_payments where order_id = ?")) {
            ps.setObject(1, orderId);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? Optional.of(
                      new Payment(
                          rs.getObject(1, UUID.class),
                          rs.getObject(2, UUID.class),
                          rs.getLong(3),
                          rs.getString(4),
                          rs.getString(5),
                          rs.getString(6),
                          rs.getString(7)))
                  : Optional.empty();
            }
          }
        });
  }

  private void update(UUID orderId, String status, String chargeId, String reason) {
    tx.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update payment_payments set status = ?, charge_id = coalesce(?, charge_id),"
                      + " reason = ?, attempts = attempts + 1, updated_at = ? where order_id = ?")) {
            ps.setString(1, status);
            ps.setString(2, chargeId);
            ps.setString(3, reason);
            ps.setTimestamp(4, ts(clock.instant()));
            ps.setObject(5, orderId);
            return ps.executeUpdate();
          }
        });
  }
}
