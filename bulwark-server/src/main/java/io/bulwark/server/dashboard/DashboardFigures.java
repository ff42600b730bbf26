package io.bulwark.server.dashboard;

import java.time.Instant;
import java.util.Map;

/**
 * One tick of the dashboard: the figures {@code /dashboard/events} sends once a second as one JSON
 * object. A figure is null when this process has no meter for it (a server without the shop, a
 * window without requests).
 *
 * @param at when the figures were read
 * @param ordersPerSecond orders placed per second since the previous tick
 * @param ordersPlaced orders placed since this process started (as its projection counted them)
 * @param confirmedShare confirmed orders over ended (confirmed + failed) orders since start; null
 *     before any order ended
 * @param revenueMinor minor units of confirmed orders since start, in {@code currency}
 * @param currency the currency with the most revenue; null before any order was confirmed
 * @param p50Ms median HTTP request latency over the last {@link DashboardMeter#WINDOW_TICKS} ticks
 * @param p99Ms 99th percentile HTTP request latency over the same window
 * @param queueDepth orders accepted whose saga has not got past its first state
 * @param dlqSize letters waiting in the dead-letter queue
 * @param breakerState the payment gateway circuit breaker's state (closed, open, half_open, …)
 * @param instancesByZone running instances per zone
 * @param errorBudgetLeftPercent share of the availability objective's error budget not yet spent
 */
public record DashboardFigures(
    Instant at,
    double ordersPerSecond,
    long ordersPlaced,
    Double confirmedShare,
    long revenueMinor,
    String currency,
    Double p50Ms,
    Double p99Ms,
    Long queueDepth,
    Long dlqSize,
    String breakerState,
    Map<String, Integer> instancesByZone,
    double errorBudgetLeftPercent) {

  /** Copies the zone map. */
  public DashboardFigures {
    instancesByZone = Map.copyOf(instancesByZone);
  }
}
