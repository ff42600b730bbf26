package io.bulwark.commerce;

import io.bulwark.commerce.ordering.Billing;
import io.bulwark.commerce.payment.PaymentGateway;
import io.bulwark.commerce.payment.Payments;
import java.util.UUID;

/** Ordering's billing through the payment context: a declined charge is final. */
final class PaymentsBilling implements Billing {

  private final Payments payments;

  PaymentsBilling(Payments payments) {
    this.payments = payments;
  }

  @Override
  public String charge(UUID orderId, UUID customerId, long amount, String currency) {
    return chargeId(payments.charge(orderId, customerId, amount, currency));
  }

  @Override
  public String openCharge(UUID orderId, UUID customerId, long amount, String currency) {
    return Payments.settled(payments.open(orderId, customerId, amount, currency))
        .map(PaymentsBilling::chargeId)
        .orElse(null);
  }

  @Override
  public String requestCharge(UUID orderId, UUID customerId, long amount, String currency) {
    return chargeId(payments.ask(orderId, amount, currency));
  }

  @Override
  public void recordCharge(UUID orderId, String chargeId) {
    payments.charged(orderId, chargeId);
  }

  private static String chargeId(PaymentGateway.ChargeOutcome outcome) {
    return switch (outcome) {
      case PaymentGateway.ChargeOutcome.Approved a -> a.chargeId();
      case PaymentGateway.ChargeOutcome.Declined d -> throw new Billing.Declined(d.reason());
    };
  }

  @Override
  public void refund(UUID orderId) {
    payments.refund(orderId);
  }
}
