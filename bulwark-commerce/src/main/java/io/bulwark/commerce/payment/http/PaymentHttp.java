package io.bulwark.commerce.payment.http;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.Permission;
import io.bulwark.commerce.internal.Requests;
import io.bulwark.commerce.payment.Payments;
import io.bulwark.http.HttpModule;
import io.javalin.Javalin;
import java.util.UUID;

/** HTTP adapter of the payment context: {@code GET /api/v1/payments/{orderId}} for operators. */
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
          Requests.caller(ctx, tokens).require(Permission.ORDER_READ_ANY);
          UUID id = Requests.uuidPath(ctx, "orderId");
          ctx.json(
              payments
                  .payment(id)
                  .orElseThrow(() -> new CommerceException.NotFound("no payment for order " + id)));
        });
  }
}
