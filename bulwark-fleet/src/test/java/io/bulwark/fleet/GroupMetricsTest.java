package io.bulwark.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.testkit.ManualClock;
import io.bulwark.testkit.MonitoringAssets;
import io.bulwark.traffic.Gateway;
import io.bulwark.traffic.GatewayConfig;
import io.bulwark.traffic.PoolConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seed's enabled group metrics, scraped from the gateway admin API's real /metrics. */
class GroupMetricsTest {
  static final Zone A = Zone.of("r1", "a");
  static final Zone B = Zone.of("r1", "b");

  final ManualClock clock = new ManualClock();
  final FakeProvider provider = new FakeProvider();
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  Gateway gateway;
  InstanceGroup group;

  @AfterEach
  void stop() {
    if (group != null) {
      group.close();
    }
    if (gateway != null) {
      gateway.close(Duration.ZERO);
    }
  }

  @Test
  void sizesPerGroupAndInstancesPerZoneAppearOnMetrics() throws Exception {
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .adminPort(0)
                .pool(PoolConfig.builder("web").noHealthCheck().build())
                .build(),
            registry);
    group =
        InstanceGroup.create(
            GroupConfig.builder("web").size(1, 6, 3).zone(A).zone(B).build(),
            provider,
            new RecordingRegistrar(),
            FakeProvider.probe(),
            clock);
    GroupMetrics.bind(group, registry);
    for (int k = 0; k < 5; k++) {
      group.tick();
      clock.advance(Duration.ofMillis(100));
    }
    assertThat(group.status().in(Lifecycle.IN_SERVICE)).hasSize(3);

    String metrics = scrape();
    assertThat(metrics)
        .contains("fleet_group_min_size{group=\"web\"} 1.0")
        .contains("fleet_group_max_size{group=\"web\"} 6.0")
        .contains("fleet_group_desired_capacity{group=\"web\"} 3.0")
        .contains("fleet_group_in_service_instances{group=\"web\",region=\"r1\",zone=\"a\"} 2.0")
        .contains("fleet_group_in_service_instances{group=\"web\",region=\"r1\",zone=\"b\"} 1.0")
        .contains("fleet_group_total_instances{group=\"web\",region=\"r1\",zone=\"a\"} 2.0")
        .contains("fleet_group_total_instances{group=\"web\",region=\"r1\",zone=\"b\"} 1.0");

    group.setDesired(5);
    assertThat(scrape()).contains("fleet_group_desired_capacity{group=\"web\"} 5.0");

    // the dashboards and alert rules in ops/ read only group meters that exist
    String exported = scrape();
    MonitoringAssets.expressions()
        .forEach(
            (where, expr) ->
                MonitoringAssets.metricNames(expr).stream()
                    .filter(name -> name.startsWith("fleet_group_"))
                    .forEach(
                        name ->
                            assertThat(exported)
                                .as(where + " reads " + name)
                                .containsPattern("(?m)^" + name + "[{ ]")));
  }

  private String scrape() throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return r.body();
    }
  }
}
