package io.bulwark.fleet.scenario;

import io.bulwark.fleet.load.LoadResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a scenario showed.
 *
 * @param scenario its name
 * @param claim what it claims, in a sentence
 * @param passed whether the claim held
 * @param load the load it ran through the gateway
 * @param facts scenario-specific measurements (replacement time, lowest healthy share, split, ...)
 * @param violations why the claim did not hold; empty when it did
 */
public record ScenarioResult(
    String scenario,
    String claim,
    boolean passed,
    LoadResult load,
    Map<String, Object> facts,
    List<String> violations) {

  public ScenarioResult {
    facts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    violations = List.copyOf(violations);
    if (passed && !violations.isEmpty()) {
      throw new IllegalArgumentException("a scenario with violations cannot pass: " + violations);
    }
  }

  /**
   * The partial result of a scenario cut short (Ctrl-C) after its load measured {@code sofar}: not
   * passed, whatever the figures.
   */
  public static ScenarioResult interrupted(Scenario scenario, LoadResult sofar) {
    return new ScenarioResult(
        scenario.name(),
        scenario.claim(),
        false,
        sofar,
        Map.of(),
        List.of("interrupted before the scenario ended: the figures are what was measured so far"));
  }

  /** The result as the JSON object {@code bulwark scenario --json} prints. */
  public Map<String, Object> json() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("scenario", scenario);
    out.put("claim", claim);
    out.put("passed", passed);
    out.put("requests", load.sent());
    out.put("succeeded", load.succeeded());
    out.put("failed", load.failed());
    out.put("p50_ms", round(load.p50Millis()));
    out.put("p99_ms", round(load.p99Millis()));
    out.put("max_ms", round(load.maxMillis()));
    out.put("throughput_rps", round(load.throughput()));
    out.put("facts", facts);
    out.put("violations", violations);
    out.put("failure_samples", load.failureSamples());
    return out;
  }

  /** The result as readable text. */
  public String text() {
    StringBuilder b = new StringBuilder();
    b.append("scenario ").append(scenario).append(": ").append(passed ? "PASSED" : "FAILED");
    b.append('\n').append("claim:      ").append(claim).append('\n');
    b.append(
        String.format(
            java.util.Locale.ROOT,
            "requests:   %d sent, %d succeeded, %d failed (%.0f/s)%n",
            load.sent(),
            load.succeeded(),
            load.failed(),
            load.throughput()));
    b.append(
        String.format(
            java.util.Locale.ROOT,
            "latency:    p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
            load.p50Millis(),
            load.p99Millis(),
            load.maxMillis()));
    facts.forEach(
        (k, v) -> b.append(String.format("%-11s %s%n", k.replace('_', ' ') + ":", readable(v))));
    for (String v : violations) {
      b.append("violated:   ").append(v).append('\n');
    }
    for (String f : load.failureSamples()) {
      b.append("failure:    ").append(f).append('\n');
    }
    return b.toString();
  }

  /** A fact as text: a map as {@code key value, key value} (not Java's {@code {key=value}}). */
  static String readable(Object fact) {
    if (fact instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        return "none";
      }
      List<String> parts = new java.util.ArrayList<>();
      m.forEach((k, v) -> parts.add(k + " " + readable(v)));
      return String.join(", ", parts);
    }
    if (fact instanceof Double d) {
      return d == Math.rint(d) ? String.valueOf(d.longValue()) : String.valueOf(d);
    }
    return String.valueOf(fact);
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
