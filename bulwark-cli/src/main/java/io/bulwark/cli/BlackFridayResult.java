package io.bulwark.cli;

import io.bulwark.fleet.load.ArrivalProfile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code bulwark scenario black-friday} measured, against the seed's four figures: at least
 * 99.98 % availability at the peak, at most 180 ms mean response, zero data lost, and at least 40 %
 * lower cost than provisioning the peak for the whole window.
 *
 * @param peakMultiplier the peak's rate as a multiple of the baseline
 * @param requests every request sent, bots included
 * @param legitimate requests from customers (not bots)
 * @param availabilityPercent legitimate requests answered without a 5xx or a transport error
 * @param meanLatencyMs mean of the legitimate requests, from when each was due
 * @param p99LatencyMs their 99th percentile
 * @param vipP99LatencyMs the 99th percentile of VIP customers' requests
 * @param orderP99LatencyMs the 99th percentile of regular customers' {@code POST /orders}
 * @param vipOrderP99LatencyMs the 99th percentile of VIP customers' {@code POST /orders}
 * @param serverErrors legitimate requests answered 5xx or not at all
 * @param rateLimited legitimate requests answered 429 (a limit set too tight)
 * @param otherClientErrors legitimate requests answered another 4xx
 * @param refusedIntakeFull orders refused with 503 because the intake queue was full
 * @param reconciliation what the database and the card network say afterwards
 * @param botRequests requests from bots (scrapers and a scalper account)
 * @param botRequestsBlocked those the gateway answered 403 or 429
 * @param instanceSeconds instance-seconds the group used over the window
 * @param peakProvisionedInstanceSeconds the peak's instances for the whole window
 * @param peakInstances the most instances running at once
 * @param windowSeconds the load's length
 * @param spikeAtSeconds when the payment spike began (-1: it did not)
 * @param spikeSeconds how long it lasted
 * @param samples one per second, for the report
 * @param failureSamples up to 10 failed legitimate requests, described
 * @param profile the arrival profile
 */
record BlackFridayResult(
    double peakMultiplier,
    long requests,
    long legitimate,
    double availabilityPercent,
    double meanLatencyMs,
    double p99LatencyMs,
    double vipP99LatencyMs,
    double orderP99LatencyMs,
    double vipOrderP99LatencyMs,
    long serverErrors,
    long rateLimited,
    long otherClientErrors,
    long refusedIntakeFull,
    BlackFriday.Reconciliation reconciliation,
    long botRequests,
    long botRequestsBlocked,
    double instanceSeconds,
    double peakProvisionedInstanceSeconds,
    long peakInstances,
    double windowSeconds,
    double spikeAtSeconds,
    long spikeSeconds,
    List<BlackFriday.Sample> samples,
    List<String> failureSamples,
    ArrivalProfile profile) {

  /** Acknowledged orders that did not reach a final state, or vanished. */
  long lostOrders() {
    return reconciliation.lost();
  }

  /** Units of the limited product sold beyond its stock. */
  long oversold() {
    return reconciliation.oversold();
  }

  /** Orders charged more than once by the card network. */
  long doubleCharged() {
    return reconciliation.duplicateCharges();
  }

  /** Whether the money taken is exactly the confirmed orders' revenue. */
  boolean chargesReconciled() {
    return reconciliation.netChargedMinor() == reconciliation.confirmedRevenueMinor();
  }

  double costSavingPercent() {
    return peakProvisionedInstanceSeconds <= 0
        ? 0
        : 100.0 * (1 - instanceSeconds / peakProvisionedInstanceSeconds);
  }

  boolean availabilityMet() {
    return availabilityPercent >= BlackFriday.SEED_AVAILABILITY_PERCENT;
  }

  boolean latencyMet() {
    return legitimate > 0 && meanLatencyMs <= BlackFriday.SEED_MEAN_LATENCY_MS;
  }

  boolean nothingLost() {
    return lostOrders() == 0
        && oversold() == 0
        && doubleCharged() == 0
        && reconciliation.stockConsistent()
        && chargesReconciled();
  }

  boolean costMet() {
    return costSavingPercent() >= BlackFriday.SEED_COST_SAVING_PERCENT;
  }

  /** All four of the seed's figures met. */
  boolean passed() {
    return availabilityMet() && latencyMet() && nothingLost() && costMet();
  }

  /** The {@code --json} object; the field names are a contract. */
  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("peakMultiplier", peakMultiplier);
    m.put("requests", requests);
    m.put("availabilityPercent", round(availabilityPercent, 4));
    m.put("meanLatencyMs", round(meanLatencyMs, 1));
    m.put("p99LatencyMs", round(p99LatencyMs, 1));
    m.put("vipP99LatencyMs", round(vipP99LatencyMs, 1));
    m.put("lostOrders", lostOrders());
    m.put("oversold", oversold());
    m.put("doubleCharged", doubleCharged());
    m.put("botRequestsBlocked", botRequestsBlocked);
    m.put("instanceSeconds", round(instanceSeconds, 1));
    m.put("peakProvisionedInstanceSeconds", round(peakProvisionedInstanceSeconds, 1));
    m.put("costSavingPercent", round(costSavingPercent(), 1));
    m.put("passed", passed());
    m.put("legitimateRequests", legitimate);
    m.put("serverErrors", serverErrors);
    m.put("rateLimited", rateLimited);
    m.put("orderP99LatencyMs", round(orderP99LatencyMs, 1));
    m.put("vipOrderP99LatencyMs", round(vipOrderP99LatencyMs, 1));
    m.put("botRequests", botRequests);
    m.put("acknowledgedOrders", reconciliation.acknowledged());
    m.put("confirmedOrders", reconciliation.confirmed());
    m.put("failedOrders", reconciliation.failed());
    m.put("doorbusterSold", reconciliation.doorbusterConfirmed());
    m.put("stockConsistent", reconciliation.stockConsistent());
    m.put("chargesReconciled", chargesReconciled());
    m.put("peakInstances", peakInstances);
    m.put("windowSeconds", round(windowSeconds, 1));
    m.put(
        "seed",
        Map.of(
            "availabilityPercent", BlackFriday.SEED_AVAILABILITY_PERCENT,
            "meanLatencyMs", BlackFriday.SEED_MEAN_LATENCY_MS,
            "lostOrders", 0,
            "costSavingPercent", BlackFriday.SEED_COST_SAVING_PERCENT));
    return m;
  }

  /** The terminal summary. */
  String text() {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "black-friday: x%.0f peak, %d requests (%d legitimate, %d from bots) over %.0f s%n",
            peakMultiplier,
            requests,
            legitimate,
            botRequests,
            windowSeconds));
    s.append(String.format(Locale.ROOT, "%-22s %-26s %-12s %s%n", "", "measured", "seed", ""));
    row(
        s,
        "availability",
        String.format(Locale.ROOT, "%.4f %%", availabilityPercent),
        "99.98 %",
        availabilityMet());
    row(
        s,
        "mean response",
        String.format(Locale.ROOT, "%.1f ms (p99 %.1f ms)", meanLatencyMs, p99LatencyMs),
        "180 ms",
        latencyMet());
    row(
        s,
        "data lost",
        String.format(
            Locale.ROOT,
            "%d lost, %d oversold, %d double-charged",
            lostOrders(),
            oversold(),
            doubleCharged()),
        "zero",
        nothingLost());
    row(
        s,
        "cost below peak",
        String.format(
            Locale.ROOT,
            "%.1f %% (%.0f of %.0f instance-s)",
            costSavingPercent(),
            instanceSeconds,
            peakProvisionedInstanceSeconds),
        "40 %",
        costMet());
    s.append(
        String.format(
            Locale.ROOT,
            "VIP: p99 %.1f ms (orders %.1f ms); regular orders p99 %.1f ms%n",
            vipP99LatencyMs,
            vipOrderP99LatencyMs,
            orderP99LatencyMs));
    BlackFriday.Reconciliation r = reconciliation;
    s.append(
        String.format(
            Locale.ROOT,
            "orders: %d acknowledged, %d confirmed, %d failed (card declined or payment network"
                + " down), %d missing, %d unfinished after %.0f s; doorbuster sold %d (stock %s);"
                + " charged %d, confirmed revenue %d (%s)%n",
            r.acknowledged(),
            r.confirmed(),
            r.failed(),
            r.missing(),
            r.unfinished(),
            r.drainSeconds(),
            r.doorbusterConfirmed(),
            r.stockConsistent() ? "consistent" : "INCONSISTENT",
            r.netChargedMinor(),
            r.confirmedRevenueMinor(),
            chargesReconciled() ? "reconciled" : "MISMATCH"));
    s.append(
        String.format(
            Locale.ROOT,
            "bots: %d of %d requests blocked; customers: %d server errors, %d rate-limited, %d"
                + " refused with the intake full; up to %d instances%n",
            botRequestsBlocked,
            botRequests,
            serverErrors,
            rateLimited,
            refusedIntakeFull,
            peakInstances));
    failureSamples.forEach(f -> s.append("  failed: ").append(f).append('\n'));
    s.append(passed() ? "PASSED" : "FAILED").append('\n');
    return s.toString();
  }

  private static void row(StringBuilder s, String name, String measured, String seed, boolean ok) {
    s.append(
        String.format(
            Locale.ROOT, "%-22s %-26s %-12s %s%n", name, measured, seed, ok ? "met" : "MISSED"));
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
