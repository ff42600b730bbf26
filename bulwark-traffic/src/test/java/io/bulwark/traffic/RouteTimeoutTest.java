package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-route timeouts, with one target's link broken by a fault proxy. */
class RouteTimeoutTest {
  private final TestBackend hung = TestBackend.start("svc-1");
  private final TestBackend healthy = TestBackend.start("svc-2");
  private final FaultProxy link = FaultProxy.start(0, "127.0.0.1", hung.port());
  private Gateway gateway;

  @BeforeEach
  void start() {
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .pool(
                    PoolConfig.builder("svc")
                        .noHealthCheck()
                        .outlierDetection(OutlierDetection.disabled())
                        .target(TargetConfig.of("svc-1", "127.0.0.1", link.port()))
                        .target(healthy.target())
                        .build())
                .route(RouteConfig.of("/api/reports", Duration.ofMillis(300), 0))
                .route(RouteConfig.of("/api", Duration.ofMillis(300), 2))
                .build());
    link.add(Fault.Timeout.hang());
  }

  @AfterEach
  void stop() {
    gateway.close(Duration.ofSeconds(2));
    link.close();
    hung.close();
    healthy.close();
  }

  @Test
  void retriesASafeRequestOnAnotherTargetWhenTheRouteTimeoutExpires() {
    for (int i = 0; i < 6; i++) {
      long start = System.nanoTime();
      HttpResponse<String> r = Http.get(gateway.port(), "/api/orders");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("svc-2");
      assertThat(millis).isLessThan(2_000);
    }
  }

  @Test
  void answersGatewayTimeoutWhenTheRouteAllowsNoRetry() {
    int timeouts = 0;
    int answered = 0;
    // Ties between the two targets go round-robin, so both are chosen in a few requests; with
    // no retry allowed, each request on the hung one ends in 504 instead of moving on.
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = Http.get(gateway.port(), "/api/reports/daily");
      if (r.statusCode() == 504) {
        timeouts++;
        assertThat(r.body()).contains("no answer within PT0.3S");
      } else {
        answered++;
        assertThat(r.body()).isEqualTo("svc-2");
      }
    }
    assertThat(timeouts).isPositive();
    assertThat(answered).isPositive();
  }
}
