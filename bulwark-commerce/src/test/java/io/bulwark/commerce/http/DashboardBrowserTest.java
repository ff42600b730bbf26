package io.bulwark.commerce.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.payment.simulator.PaymentSimulatorProcess;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.testkit.HeadlessChromium;
import io.bulwark.testkit.PostgresExtension;
import io.micrometer.core.instrument.Gauge;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium against a real shop: the page loads, its event stream
 * shows orders placed through the HTTP API and the breaker state the meter holds (closed, then open
 * once the payment gateway is gone), and stopping the server ends the stream instead of waiting on
 * it.
 */
class DashboardBrowserTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir Path home;

  @Test
  void showsOrdersRevenueAndBreakerStateLiveAndEndsTheStreamOnStop() throws Exception {
    PaymentSimulatorProcess gateway = null;
    TestServer app = null;
    HeadlessChromium browser = null;
    try {
      gateway = PaymentSimulatorProcess.start(SimulatorOptions.defaults());
      java.net.URI gatewayUrl = gateway.baseUrl();
      app =
          new TestServer(
              pg.jdbcUrl(),
              home,
              o ->
                  o.paymentGateway(gatewayUrl)
                      .paymentTimeout(Duration.ofMillis(300))
                      .pollInterval(Duration.ofMillis(50)));
      String admin = app.adminToken();
      assertThat(
              app.send(
                      "POST",
                      "/api/v1/products",
                      admin,
                      "{\"sku\":\"LAMP-1\",\"name\":\"Lamp\",\"price\":2500,\"available\":50}")
                  .status())
          .isEqualTo(201);
      String customer = app.customer("dashboard-watcher");

      browser = HeadlessChromium.start();
      HeadlessChromium page = browser;
      page.navigate(app.server.baseUrl() + "/dashboard");
      assertThat(page.evaluate("document.title")).isEqualTo("Bulwark dashboard");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> "live".equals(page.evaluate("document.getElementById('status').textContent")));
      await().atMost(Duration.ofSeconds(10)).until(() -> "0".equals(raw(page, "ordersPlaced")));
      assertThat(app.server.dashboard().clients()).isEqualTo(1);

      for (int i = 0; i < 3; i++) {
        assertThat(
                app.send(
                        "POST",
                        "/api/v1/orders",
                        customer,
                        "{\"items\":[{\"sku\":\"LAMP-1\",\"quantity\":2}]}")
                    .status())
            .isEqualTo(202);
      }

      // 3 orders of 2 × 25.00 each, all confirmed by the simulator
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(raw(page, "ordersPlaced")).isEqualTo("3");
                assertThat(raw(page, "revenue")).isEqualTo("15000");
                assertThat(raw(page, "confirmedShare")).isEqualTo("1");
              });
      assertThat(page.evaluate("document.getElementById('revenue').dataset.currency"))
          .matches("[A-Z]{3}");
      assertThat(page.evaluate("document.getElementById('revenue').textContent"))
          .startsWith("150.00 ");
      assertThat(raw(page, "p99Ms")).isNotEmpty();
      assertThat(raw(page, "instancesByZone")).isEqualTo("{\"local\":1}");
      assertThat(Double.parseDouble(raw(page, "errorBudgetLeftPercent"))).isEqualTo(100.0);

      String breaker = breakerFromMetrics(app.get("/metrics", null).body());
      assertThat(breaker).isEqualTo(breakerFromRegistry(app));
      assertThat(breaker).isEqualTo("closed");
      TestServer shop = app;
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> assertThat(raw(page, "breakerState")).isEqualTo(breakerFromRegistry(shop)));

      // the gateway goes away: orders fail, the breaker opens, and the page follows the meter
      gateway.close();
      for (int i = 0; i < 6; i++) {
        assertThat(
                app.send(
                        "POST",
                        "/api/v1/orders",
                        customer,
                        "{\"items\":[{\"sku\":\"LAMP-1\",\"quantity\":1}]}")
                    .status())
            .isEqualTo(202);
      }
      await()
          .atMost(Duration.ofSeconds(40))
          .untilAsserted(
              () -> {
                assertThat(raw(page, "ordersPlaced")).isEqualTo("9");
                assertThat(breakerFromRegistry(shop)).isEqualTo("open");
                assertThat(raw(page, "breakerState")).isEqualTo("open");
                assertThat(Double.parseDouble(raw(page, "confirmedShare"))).isLessThan(1.0);
              });
      assertThat(breakerFromMetrics(app.get("/metrics", null).body())).isEqualTo("open");
      assertThat(raw(page, "revenue")).isEqualTo("15000");

      // the page's stream is still open: stopping the server must end it, not wait out the grace
      long started = System.nanoTime();
      app.close();
      app = null;
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> !"live".equals(page.evaluate("document.getElementById('status').textContent")));
    } finally {
      if (browser != null) {
        browser.close();
      }
      if (app != null) {
        app.close();
      }
      if (gateway != null) {
        gateway.close();
      }
    }
  }

  private static String raw(HeadlessChromium page, String id) {
    return page.evaluate("document.getElementById('" + id + "').dataset.raw ?? null");
  }

  private static String breakerFromRegistry(TestServer app) {
    return app.server.registry().find("bulwark.payment.gateway.circuit.state").gauges().stream()
        .filter(g -> g.value() == 1)
        .map(Gauge::getId)
        .map(id -> id.getTag("state"))
        .findFirst()
        .orElseThrow();
  }

  private static String breakerFromMetrics(String metrics) {
    Matcher m =
        Pattern.compile("bulwark_payment_gateway_circuit_state\\{state=\"([a-z_]+)\"} 1\\.0")
            .matcher(metrics);
    assertThat(m.find()).as("a breaker state at 1 in /metrics").isTrue();
    return m.group(1);
  }
}
