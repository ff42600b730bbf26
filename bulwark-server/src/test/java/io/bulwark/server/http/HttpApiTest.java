package io.bulwark.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.server.MetricsAccess;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

class HttpApiTest {

  @Test
  void theListenerQueuesABurstOfNewConnectionsInsteadOfJavasDefaultFifty() {
    Javalin app =
        HttpApi.create(
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            () -> true,
            Duration.ofSeconds(1),
            MetricsAccess.open(),
            List.of());
    try {
      app.start("127.0.0.1", 0);
      assertThat(app.jettyServer().server().getConnectors())
          .singleElement()
          .isInstanceOfSatisfying(
              ServerConnector.class,
              c -> assertThat(c.getAcceptQueueSize()).isEqualTo(HttpApi.ACCEPT_QUEUE));
    } finally {
      app.stop();
    }
  }
}
