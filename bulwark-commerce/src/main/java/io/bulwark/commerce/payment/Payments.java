package io.bulwark.commerce.payment;

import io.bulwark.commerce.payment.PaymentGateway.ChargeOutcome;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The payment context: charges an order's amount through the {@link PaymentGateway} under the
 * idempotency key {@code order-<id>} and remembers the outcome, so a saga step that runs again
 * after a crash neither charges twice nor forgets a charge.
 */
public final class Payments {

  private final PaymentStore store;
  private final PaymentGateway gateway;
  private final Clock clock;

  /** Payments recorded in {@code store}, charged through {@code gateway}. */
  public Payments(PaymentStore store, PaymentGateway gateway, Clock clock) {
    this.store = store;
    this.gateway = gateway;
    this.clock = clock;
  }

  /** The idempotency key every charge and refund of {@code orderId} uses. */
  public static String key(UUID orderId) {
    return "order-" + orderId;
  }

  /**
   * Charges the order once: {@link #open}, {@link #ask} and, when approved, {@link #charged}, each
   * in a transaction of its own.
   *
   * @throws PaymentGateway.PaymentUnavailable when the gateway cannot say; retrying is safe
   */
  public ChargeOutcome charge(UUID orderId, UUID customerId, long amountMinor, String currency) {
    Payment p = open(orderId, customerId, amountMinor, currency);
    Optional<ChargeOutcome> known = settled(p);
    if (known.isPresent()) {
      return known.get();
    }
    ChargeOutcome outcome = ask(orderId, amountMinor, currency);
    if (outcome instanceof ChargeOutcome.Approved a) {
      charged(orderId, a.chargeId());
    }
    return outcome;
  }

  /**
   * The first part of a charge split around its call to the gateway (for a caller that commits the
   * parts with writes of its own): records a pending charge of the order unless it has one, in the
   * caller's transaction when one is open, and returns the payment as it stands.
   */
  public Payment open(UUID orderId, UUID customerId, long amountMinor, String currency) {
    store.insertPending(orderId, key(orderId), customerId, amountMinor, currency, clock.instant());
    return payment(orderId).orElseThrow();
  }

  /** The outcome of {@code p} when it is already known (not PENDING or UNKNOWN). */
  public static Optional<ChargeOutcome> settled(Payment p) {
    return switch (p.status()) {
      case "CHARGED" -> Optional.of(new ChargeOutcome.Approved(p.chargeId()));
      case "DECLINED" -> Optional.of(new ChargeOutcome.Declined(p.reason()));
      case "REFUNDED", "VOIDED" ->
          Optional.of(
              new ChargeOutcome.Declined("payment was already " + p.status().toLowerCase()));
      default -> Optional.empty(); // PENDING or UNKNOWN: ask the gateway (idempotently)
    };
  }

  /**
   * The second part: asks the gateway for the charge of an {@linkplain #open open} payment, under
   * the order's idempotency key, and records a refusal or an unknown outcome; an approval is left
   * for the caller to record with {@link #charged}.
   *
   * @throws PaymentGateway.PaymentUnavailable when the gateway cannot say; retrying is safe
   */
  public ChargeOutcome ask(UUID orderId, long amountMinor, String currency) {
    ChargeOutcome outcome;
    try {
      outcome = gateway.charge(key(orderId), orderId.toString(), amountMinor, currency);
    } catch (PaymentGateway.PaymentUnavailable e) {
      update(orderId, "UNKNOWN", null, e.getMessage());
      throw e;
    }
    if (outcome instanceof ChargeOutcome.Declined d) {
      update(orderId, "DECLINED", null, d.reason());
    }
    return outcome;
  }

  /** The third part: records the approved charge {@code chargeId} of {@code orderId}. */
  public void charged(UUID orderId, String chargeId) {
    update(orderId, "CHARGED", chargeId, null);
  }

  /**
   * Records durably that whatever was charged for the order must be given back, then tries the
   * gateway once. When the gateway is unreachable the request stays recorded and {@link
   * #retryRefunds()} completes it later, so compensation never waits on the card network.
   */
  public void refund(UUID orderId) {
    if (!store.requestRefund(orderId, clock.instant())) {
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
    List<UUID> due = store.refundsDue(100);
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
    return store.refundRequested(orderId);
  }

  /** The payment of {@code orderId}, if one was attempted. */
  public Optional<Payment> payment(UUID orderId) {
    return store.find(orderId);
  }

  private void update(UUID orderId, String status, String chargeId, String reason) {
    store.update(orderId, status, chargeId, reason, clock.instant());
  }
}
