package io.bulwark.fleet.load;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a load run saw.
 *
 * @param sent requests sent
 * @param succeeded requests answered with a 2xx status
 * @param failed requests answered otherwise or not at all
 * @param p50Millis median latency, measured from when each request was due
 * @param p99Millis 99th percentile latency
 * @param maxMillis slowest request
 * @param elapsed how long the run took
 * @param byLabel succeeded requests counted per label (e.g. the zone or instance that answered)
 * @param failureSamples up to 10 failures, described
 */
public record LoadResult(
    long sent,
    long succeeded,
    long failed,
    double p50Millis,
    double p99Millis,
    double maxMillis,
    Duration elapsed,
    Map<String, Long> byLabel,
    List<String> failureSamples) {

  public LoadResult {
    byLabel = Map.copyOf(byLabel);
    failureSamples = List.copyOf(failureSamples);
  }

  /** Share of succeeded requests labelled {@code label}, in percent. */
  public double percentOf(String label) {
    return succeeded == 0 ? 0 : 100.0 * byLabel.getOrDefault(label, 0L) / succeeded;
  }

  /** Requests per second over the run. */
  public double throughput() {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : sent / s;
  }
}
