package io.bulwark.commerce.payment.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.commerce.payment.PaymentGateway;
import io.bulwark.commerce.payment.http.HttpPaymentGateway;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaymentSimulatorTest {

  @Test
  void replaysAChargeForTheSameKeyInsteadOfChargingTwice() {
    try (PaymentSimulator sim = PaymentSimulator.start(SimulatorOptions.defaults())) {
      HttpPaymentGateway gw = gateway(sim, Duration.ofSeconds(2));
      var first = gw.charge("k-1", "order-1", 500, "EUR");
      var second = gw.charge("k-1", "order-1", 500, "EUR");
      assertThat(first).isInstanceOf(PaymentGateway.ChargeOutcome.Approved.class);
      assertThat(second).isEqualTo(first);
      assertThat(gw.refund("k-1")).isEqualTo("REFUNDED");
      assertThat(gw.refund("k-1")).isEqualTo("REFUNDED");
    }
  }

  @Test
  void voidsAKeyRefundedBeforeAnyChargeSoALateChargeIsDeclined() {
    try (PaymentSimulator sim = PaymentSimulator.start(SimulatorOptions.defaults())) {
      HttpPaymentGateway gw = gateway(sim, Duration.ofSeconds(2));
      assertThat(gw.refund("k-2")).isEqualTo("VOIDED");
      assertThat(gw.charge("k-2", "order-2", 500, "EUR"))
          .isInstanceOf(PaymentGateway.ChargeOutcome.Declined.class);
    }
  }

  @Test
  void retriesATimedOutChargeUnderTheSameKeyAndGetsTheRecordedCharge() {
    SimulatorOptions slow =
        SimulatorOptions.defaults().withRates(0, 0, 1.0).withTimeoutDelay(Duration.ofMillis(400));
    try (PaymentSimulator sim = PaymentSimulator.start(slow)) {
      HttpPaymentGateway gw = gateway(sim, Duration.ofMillis(150));
      assertThat(gw.charge("k-3", "order-3", 700, "EUR"))
          .isInstanceOf(PaymentGateway.ChargeOutcome.Approved.class);
      assertThat(sim.stats())
          .containsEntry("succeeded", 1L)
          .containsEntry("duplicateCharges", 0L)
          .containsEntry("netCharged", 700L);
      assertThat((Long) sim.stats().get("calls")).isGreaterThanOrEqualTo(2L);
      HttpPaymentGateway impatient =
          new HttpPaymentGateway(
              URI.create("http://127.0.0.1:" + sim.port()), Duration.ofMillis(150), 1);
      assertThatThrownBy(() -> impatient.charge("k-3b", "order-3b", 700, "EUR"))
          .isInstanceOf(PaymentGateway.PaymentUnavailable.class);
    }
  }

  @Test
  void answersEveryCallWith503DuringAnOutageAndRecoversWhenItEnds() throws Exception {
    try (PaymentSimulator sim = PaymentSimulator.start(SimulatorOptions.defaults());
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
      URI base = URI.create("http://127.0.0.1:" + sim.port());
      assertThat(outage(http, base, "{\"seconds\":30}")).isEqualTo(200);
      HttpPaymentGateway gw = new HttpPaymentGateway(base, Duration.ofSeconds(2), 1);
      assertThatThrownBy(() -> gw.charge("k-o", "order-o", 500, "EUR"))
          .isInstanceOf(PaymentGateway.PaymentUnavailable.class)
          .hasMessageContaining("503");
      assertThat(outage(http, base, "{\"seconds\":-1}")).isEqualTo(400);
      assertThat(outage(http, base, "{\"seconds\":0}")).isEqualTo(200);
      assertThat(gw.charge("k-o", "order-o", 500, "EUR"))
          .isInstanceOf(PaymentGateway.ChargeOutcome.Approved.class);
      assertThat(sim.stats()).containsEntry("succeeded", 1L);
    }
  }

  @Test
  void aBurstSlowsAndFailsCallsOnCommandUntilItEnds() throws Exception {
    try (PaymentSimulator sim =
            PaymentSimulator.start(
                SimulatorOptions.defaults()
                    .withLatency(Duration.ZERO, Duration.ZERO)
                    .withRates(0, 0, 0));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
      URI base = URI.create("http://127.0.0.1:" + sim.port());
      HttpPaymentGateway gw = new HttpPaymentGateway(base, Duration.ofSeconds(5), 1);

      // every call fails while the burst runs, and the stats say a burst is on
      assertThat(post(http, base, "/burst", "{\"seconds\":60,\"errorRate\":1.0}")).isEqualTo(200);
      assertThatThrownBy(() -> gw.charge("k-b1", "order-b1", 500, "EUR"))
          .isInstanceOf(PaymentGateway.PaymentUnavailable.class)
          .hasMessageContaining("503");
      assertThat(sim.stats()).containsKey("burst");

      // a latency-only burst: each call takes at least the added time, and succeeds
      assertThat(post(http, base, "/burst", "{\"seconds\":60,\"latencyMs\":300}")).isEqualTo(200);
      long started = System.nanoTime();
      assertThat(gw.charge("k-b2", "order-b2", 500, "EUR"))
          .isInstanceOf(PaymentGateway.ChargeOutcome.Approved.class);
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));

      assertThat(post(http, base, "/burst", "{\"seconds\":5,\"errorRate\":1.5}")).isEqualTo(400);
      assertThat(post(http, base, "/burst", "{\"seconds\":0}")).isEqualTo(200);
      assertThat(sim.stats()).doesNotContainKey("burst");
      assertThat(gw.charge("k-b3", "order-b3", 500, "EUR"))
          .isInstanceOf(PaymentGateway.ChargeOutcome.Approved.class);
    }
  }

  private static int outage(java.net.http.HttpClient http, URI base, String body) throws Exception {
    return post(http, base, "/outage", body);
  }

  private static int post(java.net.http.HttpClient http, URI base, String path, String body)
      throws Exception {
    return http.send(
            java.net.http.HttpRequest.newBuilder(base.resolve(path))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void declinesEveryChargeAtFullDeclineRate() {
    try (PaymentSimulator sim =
        PaymentSimulator.start(SimulatorOptions.defaults().withRates(0, 1.0, 0))) {
      assertThat(gateway(sim, Duration.ofSeconds(2)).charge("k-4", "o", 100, "EUR"))
          .isEqualTo(new PaymentGateway.ChargeOutcome.Declined("card declined"));
    }
  }

  @Test
  void opensTheCircuitWhenTheGatewayKeepsFailing() {
    try (PaymentSimulator sim =
        PaymentSimulator.start(SimulatorOptions.defaults().withRates(1.0, 0, 0))) {
      HttpPaymentGateway gw = gateway(sim, Duration.ofSeconds(2));
      for (int i = 0; i < 6; i++) {
        int n = i;
        assertThatThrownBy(() -> gw.charge("k-5-" + n, "o", 100, "EUR"))
            .isInstanceOf(PaymentGateway.PaymentUnavailable.class);
      }
      assertThat(gw.circuitBreaker().getState().name()).isEqualTo("OPEN");
      assertThatThrownBy(() -> gw.charge("k-6", "o", 100, "EUR"))
          .hasMessageContaining("circuit is open");
    }
  }

  @Test
  void runsAsASeparateProcessUntilClosed() throws Exception {
    PaymentSimulatorProcess p = PaymentSimulatorProcess.start(SimulatorOptions.defaults());
    try {
      assertThat(p.pid()).isNotEqualTo(ProcessHandle.current().pid());
      // a fresh JVM's first answer: generous, this checks the process's lifecycle, not latency
      HttpPaymentGateway gw = new HttpPaymentGateway(p.baseUrl(), Duration.ofSeconds(15), 1);
      assertThat(gw.charge("k-7", "o", 100, "EUR"))
          .isInstanceOf(PaymentGateway.ChargeOutcome.Approved.class);
    } finally {
      p.close();
    }
    assertThat(p.isAlive()).isFalse();
  }

  @Test
  void parsesItsArgumentsAndRejectsBadOnesClearly() {
    SimulatorOptions o =
        SimulatorOptions.parse(
            List.of("--port=0", "--latency-ms=5..20", "--failure-rate=0.3", "--seed=7"));
    assertThat(o.failureRate()).isEqualTo(0.3);
    assertThat(o.maxLatency()).isEqualTo(Duration.ofMillis(20));
    assertThat(SimulatorOptions.parse(o.toArgs())).isEqualTo(o);
    assertThatThrownBy(() -> SimulatorOptions.parse(List.of("--failure-rate=lots")))
        .hasMessage("--failure-rate: expected a number but got \"lots\"");
    assertThatThrownBy(
            () -> SimulatorOptions.parse(List.of("--failure-rate=0.8", "--decline-rate=0.5")))
        .hasMessageContaining("must be <= 1");
    assertThatThrownBy(() -> SimulatorOptions.parse(List.of("--colour=red")))
        .hasMessage("unknown option --colour");
  }

  private static HttpPaymentGateway gateway(PaymentSimulator sim, Duration timeout) {
    return new HttpPaymentGateway(URI.create("http://127.0.0.1:" + sim.port()), timeout, 3);
  }
}
