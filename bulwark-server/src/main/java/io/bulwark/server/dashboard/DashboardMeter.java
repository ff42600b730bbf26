package io.bulwark.server.dashboard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Computes the dashboard's figures from a meter registry, one {@link #next} per tick. Rates and
 * latency percentiles come from the differences between the meters' cumulative values at this tick
 * and earlier ones; everything else is read as it stands.
 *
 * <p>Error budget: with objective {@code o} (for example 0.999), {@code total} HTTP requests the
 * server answered since it started and {@code errors} of them with a 5xx status, the budget is
 * {@code (1 - o) × total} failed requests and {@code errorBudgetLeftPercent = 100 × (1 - errors /
 * ((1 - o) × total))}: 100 before any request, 0 when the budget is spent, below 0 when it is
 * overspent. The dashboard's own event stream is not counted.
 *
 * <p>Latency percentiles are interpolated linearly inside the latency histogram's buckets (see
 * {@code Meters.LATENCY_BUCKETS}), so they are as fine as those buckets.
 *
 * <p>Not thread-safe: one ticker calls {@link #next}.
 */
public final class DashboardMeter {

  /** Ticks the latency percentiles look back over. */
  public static final int WINDOW_TICKS = 10;

  static final String HTTP = "http.server.requests";
  static final String EVENTS_PATH = "/dashboard/events";
  static final String PLACED = "bulwark.orders.placed";
  static final String ENDED = "bulwark.orders.ended";
  static final String REVENUE = "bulwark.orders.revenue";
  static final String QUEUE = "bulwark.orders.intake.depth";
  static final String DLQ = "bulwark.dlq.messages";
  static final String BREAKER = "bulwark.payment.gateway.circuit.state";

  private final MeterRegistry registry;
  private final double objective;
  private volatile Supplier<Map<String, Integer>> instancesByZone;
  private final Deque<NavigableMap<Double, Double>> histograms = new ArrayDeque<>();
  private double lastPlaced = Double.NaN;
  private long lastNanos;

  /**
   * Figures from {@code registry}.
   *
   * @param objective the availability objective, above 0 and below 1 (0.999 is 99.9 %)
   * @param instancesByZone running instances per zone
   */
  public DashboardMeter(
      MeterRegistry registry, double objective, Supplier<Map<String, Integer>> instancesByZone) {
    if (!(objective > 0 && objective < 1)) {
      throw new IllegalArgumentException(
          "availability objective must be above 0 and below 1 but was " + objective);
    }
    this.registry = registry;
    this.objective = objective;
    supplyInstancesByZone(instancesByZone);
  }

  /** From now on, instances per zone come from {@code supplier}. */
  public void supplyInstancesByZone(Supplier<Map<String, Integer>> supplier) {
    if (supplier == null) {
      throw new IllegalArgumentException("instancesByZone supplier must not be null");
    }
    this.instancesByZone = supplier;
  }

  /** The figures at {@code now}, {@code nanos} on a monotonic clock (like System.nanoTime). */
  public DashboardFigures next(Instant now, long nanos) {
    double placed = sumCounters(PLACED, null, null);
    double rate = 0;
    if (!Double.isNaN(lastPlaced) && nanos > lastNanos) {
      rate = Math.max(0, placed - lastPlaced) / ((nanos - lastNanos) / 1e9);
    }
    lastPlaced = placed;
    lastNanos = nanos;

    double confirmed = sumCounters(ENDED, "outcome", "confirmed");
    double failed = sumCounters(ENDED, "outcome", "failed");
    Double share = confirmed + failed > 0 ? confirmed / (confirmed + failed) : null;

    String currency = null;
    double revenue = 0;
    for (Counter c : registry.find(REVENUE).counters()) {
      if (c.count() > revenue) {
        revenue = c.count();
        currency = c.getId().getTag("currency");
      }
    }

    NavigableMap<Double, Double> histogram = new TreeMap<>();
    double total = 0;
    double errors = 0;
    for (Timer t : registry.find(HTTP).timers()) {
      if (EVENTS_PATH.equals(t.getId().getTag("uri"))) {
        continue;
      }
      total += t.count();
      String status = t.getId().getTag("status");
      if (status != null && status.startsWith("5")) {
        errors += t.count();
      }
      for (CountAtBucket b : t.takeSnapshot().histogramCounts()) {
        histogram.merge(b.bucket(TimeUnit.MILLISECONDS), b.count(), Double::sum);
      }
      histogram.merge(Double.POSITIVE_INFINITY, (double) t.count(), Double::sum);
    }
    histograms.addLast(histogram);
    while (histograms.size() > WINDOW_TICKS + 1) {
      histograms.removeFirst();
    }
    NavigableMap<Double, Double> window = minus(histogram, histograms.getFirst());
    double budget = (1 - objective) * total;
    double left = total == 0 ? 100 : 100 * (1 - errors / budget);

    return new DashboardFigures(
        now,
        rate,
        (long) placed,
        share,
        (long) revenue,
        currency,
        percentile(window, 0.50),
        percentile(window, 0.99),
        gauge(QUEUE),
        gauge(DLQ),
        breakerState(),
        instancesByZone.get(),
        left);
  }

  private double sumCounters(String name, String tag, String value) {
    var search = registry.find(name);
    if (tag != null) {
      search = search.tag(tag, value);
    }
    return search.counters().stream().mapToDouble(Counter::count).sum();
  }

  private Long gauge(String name) {
    var gauges = registry.find(name).gauges();
    if (gauges.isEmpty()) {
      return null;
    }
    double sum = 0;
    for (Gauge g : gauges) {
      double v = g.value();
      if (Double.isNaN(v)) {
        return null;
      }
      sum += v;
    }
    return Math.round(sum);
  }

  private String breakerState() {
    for (Gauge g : registry.find(BREAKER).gauges()) {
      if (g.value() == 1) {
        return g.getId().getTag("state");
      }
    }
    return null;
  }

  /** Per bucket, {@code now}'s cumulative count less {@code then}'s. */
  private static NavigableMap<Double, Double> minus(
      NavigableMap<Double, Double> now, NavigableMap<Double, Double> then) {
    NavigableMap<Double, Double> d = new TreeMap<>();
    now.forEach((bucket, count) -> d.put(bucket, count - then.getOrDefault(bucket, 0.0)));
    return d;
  }

  /**
   * The {@code q} quantile in milliseconds of a histogram of cumulative counts per upper bound (the
   * last bound infinite, holding the total), or null when it counts nothing. Interpolates linearly
   * inside the bucket the quantile falls in; a quantile beyond the last finite bound is that bound.
   */
  static Double percentile(NavigableMap<Double, Double> cumulative, double q) {
    Double total = cumulative.get(Double.POSITIVE_INFINITY);
    if (total == null || total <= 0) {
      return null;
    }
    double rank = q * total;
    double lower = 0;
    double below = 0;
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      double upper = e.getKey();
      double count = e.getValue();
      if (count >= rank && count > below) {
        if (Double.isInfinite(upper)) {
          return lower;
        }
        return lower + (upper - lower) * (rank - below) / (count - below);
      }
      lower = upper;
      below = count;
    }
    return lower;
  }

  /** This process alone: {@code zone} with one instance. */
  public static Supplier<Map<String, Integer>> self(String zone) {
    Map<String, Integer> one = Map.of(zone, 1);
    return () -> one;
  }
}
