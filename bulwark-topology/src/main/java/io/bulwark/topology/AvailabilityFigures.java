package io.bulwark.topology;

/**
 * Availability, in percent, assumed for components the file gives no figure for.
 *
 * @param instance one service instance (default 99.5)
 * @param zone one availability zone (default 99.9)
 * @param region one region's shared infrastructure (default 99.99)
 * @param databaseNode one database server (default 99.95)
 * @param gateway one internet gateway / load balancer node (default 99.99)
 * @param external an external service without its own figure (default 99.9)
 */
public record AvailabilityFigures(
    double instance,
    double zone,
    double region,
    double databaseNode,
    double gateway,
    double external) {

  public AvailabilityFigures {
    Percentages.check("instance", instance);
    Percentages.check("zone", zone);
    Percentages.check("region", region);
    Percentages.check("databaseNode", databaseNode);
    Percentages.check("gateway", gateway);
    Percentages.check("external", external);
  }

  /** The defaults listed above. */
  public static AvailabilityFigures defaults() {
    return new AvailabilityFigures(99.5, 99.9, 99.99, 99.95, 99.99, 99.9);
  }
}
