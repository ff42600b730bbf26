package io.bulwark.diagnose;

import java.time.Instant;
import java.util.Optional;

/**
 * A fact a person can check: a metric of a component compared between the baseline and the symptom
 * window, or an observation (a query text, a change made).
 *
 * @param component where
 * @param metric the metric or observation kind
 * @param text the fact in words, with the figures
 * @param baseline the baseline's median, when a metric
 * @param symptom the symptom window's summary (per the symptom's frequency), when a metric
 * @param score robust z-score of the symptom window against the baseline, when a metric
 * @param onset when the metric first left its baseline range, if it did
 */
public record Evidence(
    String component,
    String metric,
    String text,
    Optional<Double> baseline,
    Optional<Double> symptom,
    Optional<Double> score,
    Optional<Instant> onset) {

  /** Evidence that is an observation, not a metric. */
  public static Evidence fact(String component, String kind, String text) {
    return new Evidence(
        component,
        kind,
        text,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }
}
