package io.bulwark.commerce.payment.http;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.Caller;
import io.bulwark.commerce.auth.Permission;
import io.bulwark.commerce.internal.Requests;
import io.bulwark.commerce.payment.Payment;
import io.bulwark.commerce.payment.Payments;
import io.bulwark.http.HttpModule;
import io.javalin.Javalin;
import java.util.UUID;

/**
 * HTTP adapter of the payment context: {@code GET /api/v1/payments/{orderId}}, for the customer who
 * placed the order and for those who may read any order.
 */
public final class PaymentHttp implements HttpModule {

  private final Payments payments;
  private final AccessTokens tokens;

  /** Routes for {@code payments}. */
  public PaymentHttp(Payments payments, AccessTokens tokens) {
    this.payments = payments;
    this.tokens = tokens;
  }

  @Override
  public void register(Javalin app) {
    app.get(
        "/api/v1/payments/{orderId}",
        ctx -> {
          Caller caller = Requests.caller(ctx, tokens);
          UUID id = Requests.uuidPath(ctx, "orderId");
          Payment payment =
              payments
                  .payment(id)
                  .orElseThrow(() -> new CommerceException.NotFound("no payment for order " + id));
          caller.requireSelfOr(payment.customerId(), Permission.ORDER_READ_ANY);
          ctx.json(payment);
        });
  }
}
