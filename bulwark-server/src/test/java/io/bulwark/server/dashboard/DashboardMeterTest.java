package io.bulwark.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.kernel.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DashboardMeterTest {

  private static final long SECOND = 1_000_000_000L;
  private final PrometheusMeterRegistry registry =
      Meters.conventions(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  private final Instant t0 = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void ordersPerSecondIsTheDeltaOfPlacedOrdersOverTheTimeBetweenTicks() {
    DashboardMeter meter = new DashboardMeter(registry, 0.999, DashboardMeter.self("a"));
    Counter placed = registry.counter(DashboardMeter.PLACED);
    placed.increment(5);
    assertThat(meter.next(t0, 0).ordersPerSecond()).isZero(); // no earlier tick to compare with
    placed.increment(10);
    DashboardFigures f = meter.next(t0.plusSeconds(2), 2 * SECOND);
    assertThat(f.ordersPerSecond()).isEqualTo(5.0);
    assertThat(f.ordersPlaced()).isEqualTo(15);
    assertThat(meter.next(t0.plusSeconds(3), 3 * SECOND).ordersPerSecond()).isZero();
  }

  @Test
  void confirmedShareRevenueQueueDlqAndBreakerComeFromTheShopsMeters() {
    DashboardMeter meter = new DashboardMeter(registry, 0.999, DashboardMeter.self("a"));
    assertThat(meter.next(t0, 0))
        .extracting(
            DashboardFigures::confirmedShare,
            DashboardFigures::currency,
            DashboardFigures::queueDepth,
            DashboardFigures::dlqSize,
            DashboardFigures::breakerState)
        .containsOnlyNulls();

    registry.counter(DashboardMeter.ENDED, "outcome", "confirmed").increment(3);
    registry.counter(DashboardMeter.ENDED, "outcome", "failed").increment(1);
    registry.counter(DashboardMeter.REVENUE, "currency", "EUR").increment(12_345);
    registry.counter(DashboardMeter.REVENUE, "currency", "USD").increment(99);
    AtomicInteger depth = new AtomicInteger(7);
    Gauge.builder(DashboardMeter.QUEUE, depth, AtomicInteger::get).register(registry);
    Gauge.builder(DashboardMeter.DLQ, () -> 2).register(registry);
    for (String state : new String[] {"closed", "open", "half_open"}) {
      Gauge.builder(DashboardMeter.BREAKER, () -> state.equals("open") ? 1 : 0)
          .tag("state", state)
          .register(registry);
    }

    DashboardFigures f = meter.next(t0, 0);
    assertThat(f.confirmedShare()).isEqualTo(0.75);
    assertThat(f.revenueMinor()).isEqualTo(12_345);
    assertThat(f.currency()).isEqualTo("EUR");
    assertThat(f.queueDepth()).isEqualTo(7);
    assertThat(f.dlqSize()).isEqualTo(2);
    assertThat(f.breakerState()).isEqualTo("open");
  }

  @Test
  void errorBudgetIsTheShareOfAllowedFailuresNotYetSpentIgnoringTheEventStream() {
    DashboardMeter meter = new DashboardMeter(registry, 0.99, DashboardMeter.self("a"));
    assertThat(meter.next(t0, 0).errorBudgetLeftPercent()).isEqualTo(100.0);
    record(registry, "/api/v1/orders", "202", Duration.ofMillis(3), 990);
    record(registry, "/api/v1/orders", "503", Duration.ofMillis(3), 5);
    record(registry, "/api/v1/orders", "400", Duration.ofMillis(3), 5);
    record(registry, DashboardMeter.EVENTS_PATH, "500", Duration.ofMillis(3), 50);
    // 1000 requests at 99 %: 10 may fail, 5 did
    assertThat(meter.next(t0, SECOND).errorBudgetLeftPercent()).isCloseTo(50.0, within(1e-9));
    record(registry, "/api/v1/orders", "500", Duration.ofMillis(3), 10);
    assertThat(meter.next(t0, 2 * SECOND).errorBudgetLeftPercent()).isLessThan(0);
  }

  @Test
  void latencyPercentilesCoverTheLastTicksOnly() {
    DashboardMeter meter = new DashboardMeter(registry, 0.999, DashboardMeter.self("a"));
    assertThat(meter.next(t0, 0).p50Ms()).isNull();
    record(registry, "/api/v1/products", "200", Duration.ofSeconds(3), 100); // slow, long ago
    for (int i = 1; i <= DashboardMeter.WINDOW_TICKS; i++) {
      meter.next(t0, i * SECOND);
    }
    record(registry, "/api/v1/products", "200", Duration.ofMillis(7), 99);
    record(registry, "/api/v1/products", "200", Duration.ofMillis(700), 1);
    DashboardFigures f = meter.next(t0, 20 * SECOND);
    // every fast request in the (5 ms, 10 ms] bucket, the slow one in (500 ms, 1 s]
    assertThat(f.p50Ms()).isBetween(5.0, 10.0);
    assertThat(f.p99Ms()).isBetween(5.0, 10.0);
    record(registry, "/api/v1/products", "200", Duration.ofMillis(700), 10);
    assertThat(meter.next(t0, 21 * SECOND).p99Ms()).isBetween(500.0, 1000.0);
  }

  @Test
  void percentileInterpolatesInsideTheBucketItFallsIn() {
    NavigableMap<Double, Double> h = new TreeMap<>();
    h.put(10.0, 50.0);
    h.put(20.0, 100.0);
    h.put(Double.POSITIVE_INFINITY, 100.0);
    assertThat(DashboardMeter.percentile(h, 0.5)).isEqualTo(10.0);
    assertThat(DashboardMeter.percentile(h, 0.75)).isEqualTo(15.0);
    assertThat(DashboardMeter.percentile(h, 0.25)).isEqualTo(5.0);
    h.put(Double.POSITIVE_INFINITY, 200.0);
    assertThat(DashboardMeter.percentile(h, 0.99)).isEqualTo(20.0);
    assertThat(DashboardMeter.percentile(new TreeMap<>(), 0.5)).isNull();
  }

  @Test
  void instancesPerZoneAreThisProcessUntilAnInstanceGroupSuppliesThem() {
    DashboardMeter meter = new DashboardMeter(registry, 0.999, DashboardMeter.self("eu-1a"));
    assertThat(meter.next(t0, 0).instancesByZone()).isEqualTo(Map.of("eu-1a", 1));
    meter.supplyInstancesByZone(() -> Map.of("eu-1a", 2, "eu-1b", 3));
    assertThat(meter.next(t0, 1).instancesByZone()).isEqualTo(Map.of("eu-1a", 2, "eu-1b", 3));
  }

  @Test
  void refusesAnObjectiveThatLeavesNoBudget() {
    assertThatThrownBy(() -> new DashboardMeter(registry, 1.0, DashboardMeter.self("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("objective");
  }

  private static void record(
      MeterRegistry registry, String uri, String status, Duration each, int times) {
    Timer t =
        Timer.builder(DashboardMeter.HTTP)
            .tag("method", "GET")
            .tag("uri", uri)
            .tag("status", status)
            .register(registry);
    for (int i = 0; i < times; i++) {
      t.record(each);
    }
  }
}
