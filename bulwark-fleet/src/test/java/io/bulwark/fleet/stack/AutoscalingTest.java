package io.bulwark.fleet.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.fleet.GroupEvent;
import io.bulwark.fleet.InstanceGroup;
import io.bulwark.fleet.Lifecycle;
import io.bulwark.fleet.TargetTracking;
import io.bulwark.fleet.load.LoadGenerator;
import io.bulwark.fleet.load.LoadResult;
import io.bulwark.topology.TopologyFile;
import io.bulwark.traffic.GatewayConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Target tracking on the gateway's request rate, with real processes and real load. */
class AutoscalingTest {

  @Test
  void scalesOutUnderLoadAndBackInWhenTheLoadStops() throws InterruptedException {
    String yaml =
        """
        name: autoscaling
        profile: local
        regions:
          - {name: local, role: primary, zones: [zone-a, zone-b]}
        services:
          - name: web
            instances: {min: 1, max: 4, desired: 1}
            health-check: {path: /health/ready, interval: 1s, timeout: 500ms}
            deregistration-delay: 1s
        traffic:
          pools:
            - {name: main, region: local, service: web, weight: 100}
        """;
    try (LocalStack stack =
            LocalStack.start(
                StackPlan.of(
                    TopologyFile.parse("autoscaling.yaml", yaml),
                    0,
                    GatewayConfig.ADMIN_DISABLED));
        LoadGenerator load = LoadGenerator.create(Duration.ofSeconds(20), 64)) {
      assertThat(stack.awaitReady(Duration.ofSeconds(30))).isTrue();
      InstanceGroup web = stack.group("web");
      web.track(
          new TargetTracking(
              "requests/s per instance", 20, Duration.ofSeconds(1), Duration.ofSeconds(2)),
          GatewayRequestRate.of(stack.registry(), Set.of("main")));

      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<LoadResult> result = new AtomicReference<>();
      Thread loader =
          Thread.ofPlatform()
              .start(
                  () ->
                      result.set(
                          load.run(
                              70,
                              Long.MAX_VALUE,
                              stop::get,
                              n ->
                                  HttpRequest.newBuilder(URI.create(stack.url() + "/api/v1/hello")),
                              r -> null)));
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> web.status().in(Lifecycle.IN_SERVICE).size() == 4);
        assertThat(web.status().desired()).isEqualTo(4);
      } finally {
        stop.set(true);
        loader.join();
      }
      assertThat(result.get().failed()).isZero();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> web.status().desired() == 1 && web.status().instances().size() == 1);
      assertThat(web.events())
          .extracting(GroupEvent::detail)
          .anySatisfy(d -> assertThat(d).startsWith("target tracking scales out to 4"))
          .anySatisfy(d -> assertThat(d).startsWith("target tracking scales in to 1"));
    }
  }
}
