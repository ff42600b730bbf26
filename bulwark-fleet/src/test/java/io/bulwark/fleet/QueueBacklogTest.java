package io.bulwark.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bulwark.testkit.ManualClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue's depth scraped over real HTTP from instances serving Prometheus text. */
class QueueBacklogTest {
  static final String DEPTH = QueueBacklog.ORDER_INTAKE_DEPTH;

  final ManualClock clock = new ManualClock();
  MetricsServerProvider provider;
  InstanceGroup group;

  /** A group of {@code count} in-service instances, instance n serving {@code metrics(n)}. */
  InstanceGroup group(int count, Function<Integer, String> metrics) {
    provider = new MetricsServerProvider(metrics);
    group =
        InstanceGroup.create(
            GroupConfig.builder("shop")
                .size(1, count, count)
                .zone(Zone.of("r1", "a"))
                .zone(Zone.of("r1", "b"))
                .build(),
            provider,
            new RecordingRegistrar(),
            MetricsServerProvider.probe(),
            clock);
    for (int k = 0; k < 5; k++) {
      group.tick();
      clock.advance(Duration.ofMillis(100));
    }
    assertThat(group.status().in(Lifecycle.IN_SERVICE)).hasSize(count);
    return group;
  }

  @AfterEach
  void stop() {
    if (group != null) {
      group.close();
    }
    if (provider != null) {
      provider.close();
    }
  }

  @Test
  void asksTheNextInstanceOnlyWhenOneDoesNotAnswerWithTheGauge() throws Exception {
    List<String> served =
        List.of(
            // Micrometer's exposition: help, type, labels, a float value
            """
            # HELP bulwark_orders_intake_depth orders accepted, saga not past its first state
            # TYPE bulwark_orders_intake_depth gauge
            bulwark_orders_intake_depth{application="bulwark",zone="a"} 42.0
            bulwark_orders_intake_depth_max 1000000.0
            """,
            // an older reading, no labels, a timestamp; then a malformed line for the same gauge
            """
            bulwark_orders_intake_depth 40 1764979200000
            bulwark_orders_intake_depth{zone="b" 99999
            jvm_threads_live_threads 31.0
            """,
            MetricsServerProvider.HANG,
            "jvm_threads_live_threads 31.0\n");
    group(5, n -> n == 4 ? null : served.get(n));
    QueueBacklog backlog = QueueBacklog.of(group, DEPTH, Duration.ofMillis(300));

    long start = System.nanoTime();
    Set<Double> depths = new HashSet<>();
    for (int turn = 0; turn < 5; turn++) {
      depths.add(backlog.depth().get(5, TimeUnit.SECONDS));
    }
    assertThat(depths)
        .as("each scrape starting at another instance ends at one that reports the gauge")
        .containsExactlyInAnyOrder(42.0, 40.0);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("the hanging instance costs each scrape no more than the timeout")
        .isLessThan(Duration.ofSeconds(4));

    assertThat(backlog.sample(clock.instant(), 4)).as("no scrape finished yet").isNaN();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(backlog.sample(clock.instant(), 4)).isIn(42.0 / 4, 40.0 / 4));
  }

  @Test
  void asksOneInstancePerScrapeTakingTurns() throws Exception {
    AtomicIntegerArray asked = new AtomicIntegerArray(3);
    group(
        3,
        n -> {
          asked.incrementAndGet(n);
          return DEPTH + " 8\n";
        });
    QueueBacklog backlog = QueueBacklog.of(group, DEPTH);
    for (int turn = 0; turn < 6; turn++) {
      assertThat(backlog.depth().get(5, TimeUnit.SECONDS)).isEqualTo(8);
    }
    assertThat(asked).as("six scrapes, two per instance").hasToString("[2, 2, 2]");
  }

  @Test
  void isNanWhenNoInstanceAnswers() throws Exception {
    group(2, n -> n == 0 ? MetricsServerProvider.HANG : "other_metric 5\n");
    QueueBacklog backlog = QueueBacklog.of(group, DEPTH, Duration.ofMillis(200));

    assertThat(backlog.depth().get(5, TimeUnit.SECONDS)).isNaN();
    AtomicReference<Double> sampled = new AtomicReference<>();
    backlog.sample(clock.instant(), 2);
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(3))
        .untilAsserted(
            () -> {
              sampled.set(backlog.sample(clock.instant(), 2));
              assertThat(sampled.get()).isNaN();
            });
  }

  @Test
  void followsTheDepthAsItChanges() {
    AtomicReference<String> depth = new AtomicReference<>("3");
    group(3, n -> DEPTH + "{application=\"bulwark\"} " + depth.get() + "\n");
    QueueBacklog backlog = QueueBacklog.of(group, DEPTH);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(backlog.sample(clock.instant(), 3)).isEqualTo(1.0));
    depth.set("3.6e2");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(backlog.sample(clock.instant(), 3)).isEqualTo(120.0));
  }

  @Test
  void sendsTheMetricsTokenWhenGivenOne() throws Exception {
    group(2, n -> DEPTH + " 8\n");
    provider.requiredToken = "metrics-token-0123456789";
    assertThat(QueueBacklog.of(group, DEPTH).depth().get(5, TimeUnit.SECONDS))
        .as("403 without the token")
        .isNaN();
    assertThat(
            QueueBacklog.of(group, DEPTH)
                .withBearerToken("metrics-token-0123456789")
                .depth()
                .get(5, TimeUnit.SECONDS))
        .isEqualTo(8);
  }

  @Test
  void refusesAGaugeThatIsNotAPrometheusName() {
    group(1, n -> "");
    assertThatThrownBy(() -> QueueBacklog.of(group, "bulwark.orders.intake.depth"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queue gauge")
        .hasMessageContaining("bulwark.orders.intake.depth");
    assertThatThrownBy(() -> QueueBacklog.of(group, DEPTH, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queue scrape timeout");
  }
}
