package io.bulwark.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.testkit.ManualClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Target tracking on queue depth: instances serve the shared queue's depth on a real {@code
 * /metrics}, and a growing backlog scales the group out.
 */
class QueueDepthScalingTest {

  @Test
  void aGrowingBacklogScalesTheGroupOut() {
    AtomicLong depth = new AtomicLong(15);
    ManualClock clock = new ManualClock();
    try (MetricsServerProvider provider =
            new MetricsServerProvider(
                n ->
                    "# TYPE bulwark_orders_intake_depth gauge\n"
                        + "bulwark_orders_intake_depth{application=\"bulwark\"} "
                        + depth.get()
                        + ".0\n");
        InstanceGroup g =
            InstanceGroup.create(
                GroupConfig.builder("shop")
                    .size(2, 10, 2)
                    .zone(Zone.of("r1", "a"))
                    .zone(Zone.of("r1", "b"))
                    .build(),
                provider,
                new RecordingRegistrar(),
                MetricsServerProvider.probe(),
                clock)) {
      g.track(TargetTracking.queueDepth(10), QueueBacklog.of(g, QueueBacklog.ORDER_INTAKE_DEPTH));
      Runnable second =
          () -> {
            for (int k = 0; k < 10; k++) {
              g.tick();
              clock.advance(Duration.ofMillis(100));
            }
          };
      second.run();
      assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(2);

      depth.set(45); // 22.5 per instance against 10: 5 instances
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                second.run();
                assertThat(g.status().desired()).isEqualTo(5);
              });
      depth.set(80); // still growing: 8
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                second.run();
                assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(8);
              });
      assertThat(g.status().desired()).isEqualTo(8);
      assertThat(g.events())
          .extracting(GroupEvent::detail)
          .anySatisfy(
              d ->
                  assertThat(d)
                      .startsWith("target tracking scales out to 5: backlog per instance is 22.5"))
          .anySatisfy(d -> assertThat(d).startsWith("target tracking scales out to 8"));

      depth.set(500); // beyond what max allows: held at max
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                second.run();
                assertThat(g.status().desired()).isEqualTo(10);
              });
    }
  }
}
