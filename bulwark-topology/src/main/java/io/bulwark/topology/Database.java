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
 * @param failover what automatic failover may do
 */
public record Database(
    String name,
    OptionalDouble availability,
    Location primary,
    List<Replica> replicas,
    Optional<Backups> backups,
    Failover failover) {

  public Database {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(availability, "availability");
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(backups, "backups");
    Objects.requireNonNull(failover, "failover");
    replicas = List.copyOf(replicas);
    Percentages.check("availability", availability);
    if (new HashSet<>(replicas.stream().map(Replica::name).toList()).size() != replicas.size()) {
      throw new IllegalArgumentException("replica names must be unique");
    }
  }

  /**
   * What automatic failover may do (Patroni's {@code synchronous_mode_strict} and {@code
   * maximum_lag_on_failover}).
   *
   * @param strictSync with no synchronous standby streaming, commits wait rather than being
   *     acknowledged by the primary alone (default false: the primary goes on alone, and no standby
   *     is eligible for failover until one has caught up again)
   * @param allowAsync whether an asynchronous replica may be promoted when no synchronous one is
   *     eligible; it may lack acknowledged commits (default false)
   * @param maxLagBytes how far behind the primary an asynchronous candidate may be (default 1 MiB)
   */
  public record Failover(boolean strictSync, boolean allowAsync, long maxLagBytes) {
    public Failover {
      if (maxLagBytes < 0) {
        throw new IllegalArgumentException("max-lag must be >= 0 but was " + maxLagBytes);
      }
    }

    /** Non-strict, no asynchronous promotion, 1 MiB. */
    public static Failover defaults() {
      return new Failover(false, false, 1 << 20);
    }
  }

  /**
   * Where a database server runs.
   *
   * @param region its region
   * @param zone its zone
   * @param host the address it listens on and the other members and clients reach it at (default
   *     {@value #LOOPBACK})
   */
  public record Location(String region, String zone, String host) {

    /** The host of a member that gives none: this machine's loopback. */
    public static final String LOOPBACK = "127.0.0.1";

    public Location {
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(zone, "zone");
      Objects.requireNonNull(host, "host");
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
