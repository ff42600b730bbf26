package io.bulwark.topology.analysis;

import java.util.List;

/** The seed's four layers of single points of failure, each with its typical SPOFs and fixes. */
public enum Layer {
  NETWORK(
      List.of("single internet gateway", "single NAT gateway", "single VPN connection"),
      List.of(
          "NAT gateways in several AZs",
          "redundant VPN connections",
          "Direct Connect with VPN backup")),
  COMPUTE(
      List.of("single instance", "single-AZ placement", "stateful application"),
      List.of("Auto Scaling group", "multi-AZ placement", "stateless design")),
  DATA(
      List.of("single database instance", "single-AZ storage", "no backups"),
      List.of(
          "Multi-AZ database (RDS/Aurora style standby)",
          "cross-region replication",
          "automated backups and point-in-time recovery")),
  APPLICATION(
      List.of(
          "hard-coded dependencies", "synchronous external API calls", "over-reliance on cache"),
      List.of(
          "circuit breaker pattern",
          "asynchronous processing and message queues",
          "cache fallback strategy"));

  private final List<String> typicalSpofs;
  private final List<String> countermeasures;

  Layer(List<String> typicalSpofs, List<String> countermeasures) {
    this.typicalSpofs = typicalSpofs;
    this.countermeasures = countermeasures;
  }

  /** Lower-case name, e.g. {@code network}. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The seed's typical SPOFs of this layer. */
  public List<String> typicalSpofs() {
    return typicalSpofs;
  }

  /** The seed's countermeasures for this layer. */
  public List<String> countermeasures() {
    return countermeasures;
  }
}
