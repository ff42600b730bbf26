package io.bulwark.topology.analysis;

import java.util.Objects;

/**
 * One single point of failure found in a topology.
 *
 * @param layer network, compute, data or application
 * @param kind the seed's name for it, e.g. "single NAT gateway"
 * @param component what fails, e.g. {@code service web} or {@code region us-east-1}
 * @param detail why it is a SPOF in this topology
 * @param countermeasure the fix, from the seed's countermeasures
 */
public record Spof(
    Layer layer, String kind, String component, String detail, String countermeasure) {
  public Spof {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(countermeasure, "countermeasure");
  }
}
