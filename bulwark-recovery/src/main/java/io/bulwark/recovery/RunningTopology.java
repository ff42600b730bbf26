package io.bulwark.recovery;

import io.bulwark.topology.Topology;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A topology running on this machine that the DR manager acts on: what {@code bulwark up} started
 * (or a test's in-process stack), reached through its public interfaces only.
 *
 * @param topology the topology it runs
 * @param topologyFile the topology file, as the runbook names it
 * @param gatewayUrl the gateway's client URL
 * @param adminUrl the gateway admin API's URL
 * @param fleetUrl the fleet API's URL
 * @param databaseHome the database cluster's directory (holding {@code cluster.json}), when the
 *     topology's database runs
 * @param stateDir where the DR manager keeps its own state: the engine's PostgreSQL and the
 *     monitoring events
 */
public record RunningTopology(
    Topology topology,
    String topologyFile,
    String gatewayUrl,
    String adminUrl,
    String fleetUrl,
    Optional<Path> databaseHome,
    Path stateDir) {

  public RunningTopology {
    Objects.requireNonNull(topology, "topology");
    Objects.requireNonNull(topologyFile, "topologyFile");
    Objects.requireNonNull(gatewayUrl, "gatewayUrl");
    Objects.requireNonNull(databaseHome, "databaseHome");
    Objects.requireNonNull(stateDir, "stateDir");
    if (adminUrl == null || adminUrl.isBlank()) {
      throw new IllegalArgumentException(
          "adminUrl must be set: the DR manager reads health and switches traffic through the"
              + " gateway's admin API (bulwark up without --admin-port -1)");
    }
    if (fleetUrl == null || fleetUrl.isBlank()) {
      throw new IllegalArgumentException(
          "fleetUrl must be set: the DR manager starts and scales instances through the fleet"
              + " API (bulwark up without --fleet-port -1)");
    }
  }
}
