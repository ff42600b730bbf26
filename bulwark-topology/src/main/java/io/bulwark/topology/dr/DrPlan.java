package io.bulwark.topology.dr;

import io.bulwark.topology.DisasterRecovery;
import io.bulwark.topology.DrStrategy;
import io.bulwark.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The cheapest DR strategy that meets given RPO/RTO targets, and what the topology must change to
 * deliver it.
 *
 * @param targetRpo RPO asked for
 * @param targetRto RTO asked for
 * @param current the strategy the file declares, if any
 * @param recommended the cheapest strategy meeting both targets
 * @param options every strategy, cheapest first, with whether it meets the targets and its gaps
 */
public record DrPlan(
    Duration targetRpo,
    Duration targetRto,
    Optional<DrStrategy> current,
    DrStrategy recommended,
    List<Option> options) {

  public DrPlan {
    Objects.requireNonNull(targetRpo, "targetRpo");
    Objects.requireNonNull(targetRto, "targetRto");
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(recommended, "recommended");
    options = List.copyOf(options);
  }

  /**
   * A strategy considered.
   *
   * @param strategy the strategy
   * @param meetsTargets whether its RPO and RTO are within the targets
   * @param changes what the topology lacks to deliver it; empty when ready
   */
  public record Option(DrStrategy strategy, boolean meetsTargets, List<DrStrategy.Gap> changes) {
    public Option {
      changes = List.copyOf(changes);
    }
  }

  /**
   * Plans for {@code t} against the targets.
   *
   * @throws IllegalArgumentException when a target is negative
   */
  public static DrPlan of(Topology t, Duration rpo, Duration rto) {
    if (rpo.isNegative() || rto.isNegative()) {
      throw new IllegalArgumentException(
          "RPO and RTO must be >= 0, got RPO " + rpo + " and RTO " + rto);
    }
    List<Option> options = new ArrayList<>();
    DrStrategy best = null;
    for (DrStrategy s : DrStrategy.values()) {
      boolean meets = s.meets(rpo, rto);
      options.add(new Option(s, meets, s.gaps(t)));
      if (meets && best == null) {
        best = s;
      }
    }
    // active/active promises ~0 for both, so some strategy always meets targets >= 0
    return new DrPlan(
        rpo, rto, t.dr().map(DisasterRecovery::strategy), Objects.requireNonNull(best), options);
  }

  /** The option for the recommended strategy. */
  public Option recommendation() {
    return options.stream().filter(o -> o.strategy() == recommended).findFirst().orElseThrow();
  }
}
