package io.bulwark.dr;

import io.bulwark.dr.internal.Ports;
import io.bulwark.topology.Database;
import io.bulwark.topology.Region;
import io.bulwark.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cluster a topology's {@code database} section describes, run on this machine: the primary
 * (member {@value #PRIMARY}) and each replica as a member in its region and zone, synchronous ones
 * as sync standbys; a local ZooKeeper member in each of the primary region's first three zones (or
 * the given external ensemble); the section's backup window, retention and copy region.
 */
public final class TopologyClusters {

  /** Member name of the topology's primary (the file gives it no name). */
  public static final String PRIMARY = "primary";

  private TopologyClusters() {}

  /**
   * The cluster of {@code topology} in {@code home}; an existing {@code cluster.json} there is
   * reused (same ports). {@code zookeeper} is an external ensemble's connect string, if any.
   *
   * @throws DbException.BadRequest when the topology has no database section
   */
  public static ClusterSpec of(Topology topology, Path home, Optional<String> zookeeper) {
    Database db =
        topology
            .database()
            .orElseThrow(
                () ->
                    new DbException.BadRequest("topology " + topology.name() + " has no database"));
    Path file = home.resolve(ClusterSpec.FILE);
    if (Files.exists(file)) {
      ClusterSpec existing = ClusterSpec.read(file);
      if (zookeeper.isEmpty() || existing.zookeeper().external().equals(zookeeper)) {
        return existing;
      }
    }
    Ports ports = new Ports();
    List<MemberSpec> members = new ArrayList<>();
    // the primary is a synchronous standby itself once another member took over, if any is
    boolean anySync = db.replicas().stream().anyMatch(Database.Replica::synchronous);
    members.add(
        new MemberSpec(
            PRIMARY,
            db.primary().region(),
            db.primary().zone(),
            anySync,
            db.primary().host(),
            ports.next(),
            true));
    for (Database.Replica r : db.replicas()) {
      members.add(
          new MemberSpec(
              r.name(),
              r.location().region(),
              r.location().zone(),
              r.synchronous(),
              r.location().host(),
              ports.next(),
              false));
    }
    List<String> zones =
        topology.regions().stream()
            .filter(r -> r.name().equals(db.primary().region()))
            .findFirst()
            .map(Region::zones)
            .orElse(List.of(db.primary().zone()));
    ZooKeeperSpec zk =
        zookeeper.isPresent()
            ? new ZooKeeperSpec(zookeeper, List.of())
            : LocalClusters.localEnsemble(ports, zones);
    BackupPolicy backups = BackupPolicy.defaults();
    if (db.backups().isPresent()) {
      Database.Backups b = db.backups().get();
      String[] window = b.window().split("-");
      backups =
          new BackupPolicy(
              LocalTime.parse(window[0].trim()),
              LocalTime.parse(window[1].trim()),
              b.retention(),
              b.copyToRegion(),
              Duration.ofSeconds(60));
    }
    return new ClusterSpec(
        db.name(),
        home,
        members,
        zk,
        new FailoverPolicy(
            db.failover().strictSync(), db.failover().allowAsync(), db.failover().maxLagBytes()),
        LocalClusters.SESSION_TIMEOUT,
        LocalClusters.LOOP_INTERVAL,
        backups,
        1);
  }
}
