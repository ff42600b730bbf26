package io.bulwark.recovery.drill;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.MemberSpec;
import io.bulwark.dr.TopologyClusters;
import io.bulwark.fleet.InstanceStatus;
import io.bulwark.fleet.Zone;
import io.bulwark.fleet.http.FleetApi;
import io.bulwark.fleet.instance.InstanceMain;
import io.bulwark.fleet.local.LocalProcessProvider;
import io.bulwark.fleet.local.ProcessCommand;
import io.bulwark.fleet.stack.LocalStack;
import io.bulwark.fleet.stack.StackPlan;
import io.bulwark.recovery.RecoveryException;
import io.bulwark.recovery.RunningTopology;
import io.bulwark.topology.Region;
import io.bulwark.topology.Topology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A topology a drill runs on this machine, in the drill's own process: its database cluster, its
 * gateway and instance groups (the built-in instances, recording orders in that database) and the
 * fleet API. The drill owns every process, so it can lose a region as a region is lost: no
 * supervisor restarts what it kills (a {@code bulwark up} restarts a killed database member).
 */
public final class DrillStack implements AutoCloseable {
  private final Topology topology;
  private final DatabaseCluster database;
  private final LocalStack stack;
  private final FleetApi fleet;
  private final RunningTopology running;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DrillStack(
      Topology topology,
      DatabaseCluster database,
      LocalStack stack,
      FleetApi fleet,
      RunningTopology running) {
    this.topology = topology;
    this.database = database;
    this.stack = stack;
    this.fleet = fleet;
    this.running = running;
  }

  /**
   * Starts {@code topology} (read from {@code file}) with its database in {@code workDir/db}, the
   * DR manager's state in {@code workDir/dr} and instance logs in {@code workDir/logs}, and waits
   * up to {@code readyTimeout} for every group and for the database's standbys.
   *
   * @throws RecoveryException.NotPossible when the topology has no database section
   * @throws RecoveryException.Unreachable when it does not come up in time
   */
  public static DrillStack start(
      Topology topology, String file, Path workDir, Duration readyTimeout, PrintWriter progress) {
    Objects.requireNonNull(topology, "topology");
    if (topology.database().isEmpty()) {
      throw new RecoveryException.NotPossible(
          file
              + ": no database section, so a drill has nothing to count lost orders in; add one"
              + " with a replica in the DR region");
    }
    ClusterSpec spec = TopologyClusters.of(topology, workDir.resolve("db"), Optional.empty());
    DatabaseCluster database = DatabaseCluster.create(spec).start(progress);
    LocalStack stack = null;
    FleetApi fleet = null;
    try {
      ProcessCommand instance =
          ProcessCommand.instance(1)
              .withEnvironment(InstanceMain.DATABASE_URL_ENV, ordersUrl(database));
      stack =
          LocalStack.start(
              StackPlan.of(topology, 0, 0),
              LocalProcessProvider.of(instance, Map.of(), Optional.of(workDir.resolve("logs"))),
              Clock.systemUTC());
      fleet = FleetApi.start(stack.groups(), 0);
      if (!stack.awaitReady(readyTimeout)) {
        throw new RecoveryException.Unreachable(
            topology.name() + " did not come up within " + readyTimeout + ": " + stack.status(),
            null);
      }
      database.awaitStandbys(readyTimeout);
      RunningTopology running =
          new RunningTopology(
              topology,
              file,
              stack.url(),
              "http://127.0.0.1:" + stack.gateway().adminPort(),
              fleet.url(),
              Optional.of(spec.home()),
              workDir.resolve("dr"));
      return new DrillStack(topology, database, stack, fleet, running);
    } catch (RuntimeException e) {
      closeAll(fleet, stack, database);
      throw e;
    }
  }

  /** The pgjdbc URL the instances write orders to: every member, following the primary. */
  static String ordersUrl(DatabaseCluster database) {
    return database.jdbcUrl("postgres") + "&user=postgres";
  }

  /** The topology as the DR manager reaches it. */
  public RunningTopology running() {
    return running;
  }

  /** The database cluster. */
  public DatabaseCluster database() {
    return database;
  }

  /** The gateway and instance groups. */
  public LocalStack stack() {
    return stack;
  }

  /**
   * Loses {@code region} as a region is lost: each of its zones kills its instances with SIGKILL
   * and refuses launches from then on, and each database member there is killed with SIGKILL and
   * not restarted. Returns once the instances' processes are gone (at most 10 s).
   *
   * @return what was killed, for the drill's record
   */
  public List<String> loseRegion(String region) {
    Region r =
        topology.regions().stream()
            .filter(x -> x.name().equals(region))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no region " + region));
    List<InstanceStatus> instances =
        stack.groups().stream()
            .flatMap(g -> g.status().instances().stream())
            .filter(i -> i.zone().region().equals(region))
            .toList();
    for (String zone : r.zones()) {
      stack.provider().failZone(Zone.of(region, zone));
    }
    List<String> killed = new ArrayList<>();
    instances.forEach(i -> killed.add("instance " + i.id()));
    for (MemberSpec m : database.spec().members()) {
      if (m.region().equals(region)) {
        database.killMember(m.name());
        database.stopMember(m.name());
        killed.add("database member " + m.name());
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (instances.stream().anyMatch(DrillStack::alive) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    return killed;
  }

  private static boolean alive(InstanceStatus i) {
    return i.pid().isPresent()
        && ProcessHandle.of(i.pid().getAsLong()).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Stops the fleet API, the gateway and instances, and the database cluster. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closeAll(fleet, stack, database);
    }
  }

  private static void closeAll(FleetApi fleet, LocalStack stack, DatabaseCluster database) {
    try {
      if (fleet != null) {
        fleet.close();
      }
    } finally {
      try {
        if (stack != null) {
          stack.close();
        }
      } finally {
        database.close();
      }
    }
  }
}
