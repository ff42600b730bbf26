package io.bulwark.topology.analysis;

import io.bulwark.topology.Topology;
import io.bulwark.topology.dr.DrFit;
import java.util.List;
import java.util.Optional;

/**
 * What {@code bulwark analyze} reports: composite availability, SPOFs by layer, DR fit and cost.
 *
 * @param topology the analysed topology
 * @param availability composite availability with its formula
 * @param spofs every single point of failure, by layer
 * @param drFit whether the declared DR strategy meets its targets; empty without a DR section
 * @param costClass relative cost, $ to $$$$
 * @param costReason what drives the cost class
 */
public record TopologyAnalysis(
    Topology topology,
    CompositeAvailability availability,
    List<Spof> spofs,
    Optional<DrFit> drFit,
    String costClass,
    String costReason) {

  public TopologyAnalysis {
    spofs = List.copyOf(spofs);
  }

  /** Analyses {@code t}. */
  public static TopologyAnalysis of(Topology t) {
    Optional<DrFit> fit = t.dr().map(DrFit::of);
    int instances = t.services().stream().mapToInt(s -> s.instances().desired()).sum();
    int dbServers = t.database().map(db -> 1 + db.replicas().size()).orElse(0);
    String footprint =
        instances
            + " instance(s), "
            + dbServers
            + " database server(s) over "
            + t.regions().size()
            + " region(s)";
    String cost = fit.map(f -> f.strategy().cost()).orElse("$");
    String reason =
        fit.map(f -> f.strategy().title() + ": " + f.strategy().description() + "; " + footprint)
            .orElse("no DR strategy: nothing runs outside the serving regions; " + footprint);
    return new TopologyAnalysis(
        t, CompositeAvailability.of(t), SpofFinder.find(t), fit, cost, reason);
  }

  /** SPOFs of one layer. */
  public List<Spof> spofs(Layer layer) {
    return spofs.stream().filter(s -> s.layer() == layer).toList();
  }
}
