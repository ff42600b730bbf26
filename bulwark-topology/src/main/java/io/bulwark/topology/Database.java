package io.bulwark.topology;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The PostgreSQL cluster: one primary, streaming replicas, backups.
 *
 * @param name cluster name
 * @param availability known availability of one database server, in percent
 * @param primary where the primary runs
 * @param replicas streaming replicas, names unique
 * @param backups backups; empty means none (a data-layer SPOF)
 */
public record Database(
    String name,
    OptionalDouble availability,
    Location primary,
    List<Replica> replicas,
    Optional<Backups> backups) {

  public Database {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(availability, "availability");
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(backups, "backups");
    replicas = List.copyOf(replicas);
    Percentages.check("availability", availability);
    if (new HashSet<>(replicas.stream().map(Replica::name).toList()).size() != replicas.size()) {
      throw new IllegalArgumentException("replica names must be unique");
    }
  }

  /** A region and zone. */
  public record Location(String region, String zone) {
    public Location {
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(zone, "zone");
    }
  }

  /**
   * A streaming replica.
   *
   * @param name replica name
   * @param location where it runs
   * @param synchronous whether commits wait for it (no data loss on failover)
   */
  public record Replica(String name, Location location, boolean synchronous) {
    public Replica {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(location, "location");
    }
  }

  /**
   * Automated backups.
   *
   * @param enabled whether backups run (a disabled block counts as no backups)
   * @param retention how long they are kept (default 7 days)
   * @param window daily backup window in UTC (default 03:00-04:00)
   * @param pitr point-in-time recovery from archived WAL
   * @param copyToRegion region that receives a copy of every backup
   */
  public record Backups(
      boolean enabled,
      java.time.Duration retention,
      String window,
      boolean pitr,
      Optional<String> copyToRegion) {
    public Backups {
      Objects.requireNonNull(retention, "retention");
      Objects.requireNonNull(window, "window");
      Objects.requireNonNull(copyToRegion, "copyToRegion");
      if (retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException("retention must be positive, got " + retention);
      }
    }
  }

  /** Whether automated backups run. */
  public boolean backedUp() {
    return backups.map(Backups::enabled).orElse(false);
  }
}
