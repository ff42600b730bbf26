package io.bulwark.topology.runbook;

import io.bulwark.topology.Contacts;
import io.bulwark.topology.DrStrategy;
import io.bulwark.topology.Topology;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The DR runbook of a topology: the failover from {@code fromRegion} to {@code toRegion} as
 * numbered steps. {@code bulwark runbook} prints it; the DR manager executes the same steps.
 *
 * @param title e.g. "Disaster Recovery Runbook – shop"
 * @param generatedAt when it was generated
 * @param topologyFile the topology file the commands name
 * @param strategy the DR strategy
 * @param fromRegion region that failed
 * @param toRegion region to recover into
 * @param steps numbered steps
 * @param contacts who to call
 */
public record Runbook(
    String title,
    Instant generatedAt,
    String topologyFile,
    DrStrategy strategy,
    String fromRegion,
    String toRegion,
    List<RunbookStep> steps,
    Contacts contacts) {

  public Runbook {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(generatedAt, "generatedAt");
    Objects.requireNonNull(topologyFile, "topologyFile");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(fromRegion, "fromRegion");
    Objects.requireNonNull(toRegion, "toRegion");
    Objects.requireNonNull(contacts, "contacts");
    steps = List.copyOf(steps);
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).number() != i + 1) {
        throw new IllegalArgumentException(
            "steps must be numbered 1.."
                + steps.size()
                + ", got "
                + steps.get(i).number()
                + " at position "
                + (i + 1));
      }
    }
  }

  /**
   * The runbook of {@code topology}, following the seed's {@code DisasterRecoveryManager}: detect,
   * fence, promote the replica (or restore a backup), start standby instances, scale to production
   * capacity, switch traffic (DR 100 / primary 0), update monitoring, verify. Its commands name
   * {@code topologyFile}; {@code generatedAt} comes from {@code clock}.
   *
   * @throws IllegalArgumentException when the topology has no {@code dr} section
   */
  public static Runbook of(Topology topology, String topologyFile, Clock clock) {
    return RunbookGenerator.generate(topology, topologyFile, clock);
  }

  /**
   * The instances per service that {@code toRegion} runs once this runbook has scaled it to
   * production capacity (the {@code SCALE_TO_PRODUCTION} step's figures), for {@code topology}, the
   * topology this runbook was generated from.
   */
  public Map<String, Integer> productionCapacity(Topology topology) {
    return RunbookGenerator.productionCapacity(topology, fromRegion, toRegion, strategy);
  }

  /**
   * The pool weights once this runbook has switched traffic (the {@code SWITCH_TRAFFIC} step's
   * figures: {@code toRegion}'s pools 100, the rest 0; for active/active only the failed region's
   * share moves); empty when {@code topology} has no traffic section.
   */
  public Map<String, Integer> weightsAfterSwitch(Topology topology) {
    return topology
        .traffic()
        .map(
            tr ->
                RunbookGenerator.newWeights(
                    tr, fromRegion, toRegion, strategy == DrStrategy.ACTIVE_ACTIVE))
        .orElse(Map.of());
  }

  /** Sum of the steps' expected durations: the RTO this runbook implies. */
  public Duration expectedDuration() {
    return steps.stream().map(RunbookStep::expectedDuration).reduce(Duration.ZERO, Duration::plus);
  }
}
