package io.bulwark.recovery.internal;

import io.bulwark.topology.Topology;
import io.bulwark.topology.Traffic;
import io.bulwark.topology.runbook.Runbook;
import io.bulwark.topology.runbook.RunbookStep;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * What every step executor works with.
 *
 * @param site the running topology
 * @param topology its topology
 * @param runbook the runbook being executed
 * @param clock the time source
 * @param monitoringLog the file monitoring events are appended to
 * @param maxStepWait the longest a step waits for its success condition
 */
record StepContext(
    Site site,
    Topology topology,
    Runbook runbook,
    Clock clock,
    Path monitoringLog,
    Duration maxStepWait) {

  /** How long {@code step} waits for its condition: {@link Polling#budget}, at most the cap. */
  Duration budget(RunbookStep step) {
    return budget(step.expectedDuration());
  }

  /** How long a step expected to take {@code expected} waits: {@link Polling#budget}, capped. */
  Duration budget(Duration expected) {
    Duration b = Polling.budget(expected);
    return b.compareTo(maxStepWait) > 0 ? maxStepWait : b;
  }

  /** The region that failed. */
  String from() {
    return runbook.fromRegion();
  }

  /** The region recovered into. */
  String to() {
    return runbook.toRegion();
  }

  /** The traffic pools of {@code region}. */
  List<String> poolsOf(String region) {
    return topology
        .traffic()
        .map(t -> t.pools().stream().filter(p -> p.region().equals(region)))
        .map(s -> s.map(Traffic.Pool::name).toList())
        .orElse(List.of());
  }

  /** The path the gateway's monitor probes ({@code /health} without a traffic section). */
  String monitorPath() {
    return topology.traffic().map(t -> t.monitor().path()).orElse("/health");
  }
}
