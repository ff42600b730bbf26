package io.bulwark.commerce.payment.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.payment.PaymentGateway;
import io.bulwark.kernel.Json;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Calls a payment gateway over HTTP with a per-call timeout, Resilience4j retry (exponential
 * backoff, transient failures only, the same idempotency key every time) inside a circuit breaker
 * that stops hammering a gateway that keeps failing.
 */
public final class HttpPaymentGateway implements PaymentGateway {

  private final URI base;
  private final Duration timeout;
  private final HttpClient client;
  private final Retry retry;
  private final CircuitBreaker breaker;

  /**
   * A gateway client for {@code base}.
   *
   * @param timeout limit of one HTTP call
   * @param attempts calls per operation before giving up, at least 1
   */
  public HttpPaymentGateway(URI base, Duration timeout, int attempts) {
    this.base = base;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    this.retry =
        Retry.of(
            "payment-gateway",
            RetryConfig.custom()
                .maxAttempts(attempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(50), 2))
                .retryExceptions(PaymentUnavailable.class)
                .ignoreExceptions(CallNotPermittedException.class)
                .build());
    this.breaker =
        CircuitBreaker.of(
            "payment-gateway",
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(80)
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .permittedNumberOfCallsInHalfOpenState(3)
                .recordExceptions(PaymentUnavailable.class)
                .build());
  }

  /** The circuit breaker guarding calls, for metrics and tests. */
  public CircuitBreaker circuitBreaker() {
    return breaker;
  }

  @Override
  public ChargeOutcome charge(
      String idempotencyKey, String reference, long amountMinor, String currency) {
    String body =
        Json.write(Map.of("amount", amountMinor, "currency", currency, "reference", reference));
    JsonNode r =
        call(
            () -> {
              HttpResponse<String> resp = post("/charges", body, idempotencyKey);
              return switch (resp.statusCode()) {
                case 201, 402 -> Json.parse(resp.body());
                default ->
                    throw new PaymentUnavailable(
                        "gateway answered " + resp.statusCode() + " to a charge", null);
              };
            });
    String status = r.path("status").asText();
    if (status.equals("SUCCEEDED") || status.equals("REFUNDED")) {
      return new ChargeOutcome.Approved(r.path("chargeId").asText());
    }
    return new ChargeOutcome.Declined(r.path("reason").asText("declined"));
  }

  @Override
  public String refund(String idempotencyKey) {
    String body = Json.write(Map.of("chargeKey", idempotencyKey));
    JsonNode r =
        call(
            () -> {
              HttpResponse<String> resp = post("/refunds", body, "refund-" + idempotencyKey);
              if (resp.statusCode() != 200) {
                throw new PaymentUnavailable(
                    "gateway answered " + resp.statusCode() + " to a refund", null);
              }
              return Json.parse(resp.body());
            });
    return r.path("status").asText();
  }

  private JsonNode call(Supplier<JsonNode> op) {
    Supplier<JsonNode> guarded =
        Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, op));
    try {
      return guarded.get();
    } catch (CallNotPermittedException e) {
      throw new PaymentUnavailable("payment gateway circuit is open", e);
    }
  }

  private HttpResponse<String> post(String path, String body, String key) {
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      return client.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new PaymentUnavailable("payment gateway call failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PaymentUnavailable("interrupted while calling the payment gateway", e);
    }
  }
}
