package io.bulwark.dr;

import io.bulwark.dr.backup.BackupScheduler;
import io.bulwark.dr.election.AgentMain;
import io.bulwark.dr.election.ClusterStore;
import io.bulwark.dr.election.ZooKeeperEnsemble;
import io.bulwark.dr.internal.ChildProcess;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A highly available PostgreSQL cluster: its ZooKeeper ensemble (when local) and one agent process
 * per member, each supervising its own server; or, {@link #open opened} by another process, a
 * handle that reads the cluster's state and asks it for switchovers and failovers.
 *
 * <pre>{@code
 * try (DatabaseCluster db = DatabaseCluster.create(spec).start(progress)) {
 *   String url = db.jdbcUrl("bulwark");   // follows the primary
 *   db.status(); db.switchover("pg-b", false); db.killMember("pg-a");
 * }
 * }</pre>
 *
 * <p>The owner restarts an agent that dies (as systemd would); {@link #stopMember} stops one on
 * purpose. The API is what a DR manager needs: promote a member of another region ({@link
 * #failover}), stop and start members, read lag and last replayed commit times ({@link #status}).
 */
public final class DatabaseCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DatabaseCluster.class);
  private static final Duration RESTART_DELAY = Duration.ofSeconds(1);

  private final ClusterSpec spec;
  private final boolean owner;
  private final Clock clock;
  private final Map<String, ChildProcess> agents = new ConcurrentHashMap<>();
  private final Map<String, Long> diedAt = new ConcurrentHashMap<>();
  private final Set<String> stopped = ConcurrentHashMap.newKeySet();
  private final Map<String, String> zookeeperRoutes = new ConcurrentHashMap<>();
  private ZooKeeperEnsemble ensemble;
  private CuratorFramework zk;
  private ClusterStore store;
  private Thread supervisor;
  private Thread backups;
  private volatile boolean closing;

  private DatabaseCluster(ClusterSpec spec, boolean owner, Clock clock) {
    this.spec = spec;
    this.owner = owner;
    this.clock = clock;
  }

  /** A cluster to run from this process; writes {@code spec} to its home. */
  public static DatabaseCluster create(ClusterSpec spec) {
    spec.write();
    return new DatabaseCluster(spec, true, Clock.systemUTC());
  }

  /** A handle on the cluster running from {@code home} (started by another process). */
  public static DatabaseCluster open(Path home) {
    return new DatabaseCluster(
        ClusterSpec.read(home.resolve(ClusterSpec.FILE)), false, Clock.systemUTC());
  }

  /** The spec. */
  public ClusterSpec spec() {
    return spec;
  }

  /**
   * Starts the local ZooKeeper ensemble (unless external) and every member's agent, then waits up
   * to three minutes until a primary takes writes. Progress goes to {@code progress}.
   *
   * @throws DbException.BadRequest before starting anything when a member's host is not an address
   *     of this machine (every member's agent runs here)
   */
  public DatabaseCluster start(PrintWriter progress) {
    if (!owner) {
      throw new IllegalStateException("a cluster opened from another process cannot be started");
    }
    for (MemberSpec m : spec.members()) {
      requireLocal(m);
    }
    if (spec.zookeeper().external().isEmpty()) {
      progress.println(
          "starting ZooKeeper ("
              + spec.zookeeper().members().size()
              + " members, "
              + spec.zookeeper().connectString()
              + ") ...");
      progress.flush();
      ensemble = new ZooKeeperEnsemble(spec).start();
    }
    for (MemberSpec m : spec.members()) {
      progress.println(
          "starting database member "
              + m.name()
              + " ("
              + m.region()
              + "/"
              + m.zone()
              + (m.host().equals(MemberSpec.LOOPBACK) ? ", port " + m.port() : ", " + m.address())
              + (m.bootstrap()
                  ? ", first primary"
                  : m.sync() ? ", sync standby" : ", async standby")
              + ") ...");
      progress.flush();
      startAgent(m.name());
    }
    supervisor =
        Thread.ofPlatform().daemon().name("db-supervisor " + spec.home()).start(this::supervise);
    String leader = awaitPrimary(Duration.ofMinutes(3));
    progress.println("database primary: " + leader + "; waiting for the standbys ...");
    progress.flush();
    awaitStandbys(Duration.ofMinutes(3));
    BackupScheduler schedule =
        new BackupScheduler(
            spec,
            clock,
            () -> {
              try {
                return status().leader();
              } catch (RuntimeException e) {
                return Optional.empty();
              }
            });
    backups =
        Thread.ofPlatform()
            .daemon()
            .name("db-backups " + spec.home())
            .start(
                () -> {
                  while (!closing) {
                    schedule.runOnce();
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(60));
                  }
                });
    return this;
  }

  /** pgjdbc URL of {@code database} that follows the primary. */
  public String jdbcUrl(String database) {
    return spec.jdbcUrl(database);
  }

  /** URL of {@code database} for reads that may be slightly stale: a standby when one answers. */
  public String readJdbcUrl(String database) {
    return spec.readJdbcUrl(database);
  }

  /** The local ZooKeeper ensemble (empty when external or not owned here). */
  public Optional<ZooKeeperEnsemble> zookeeper() {
    return Optional.ofNullable(ensemble);
  }

  /** The cluster's state as the agents published it. */
  public ClusterStatus status() {
    try {
      return ClusterStatus.of(
          spec, store().leader(), store().members(), store().sync(), clock.millis());
    } catch (DbException e) {
      throw e;
    } catch (Exception e) {
      throw new DbException.Failed(
          "cannot read the cluster state from ZooKeeper at "
              + spec.zookeeper().connectString()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Waits until some member takes writes; returns its name. */
  public String awaitPrimary(Duration timeout) {
    Instant deadline = clock.instant().plus(timeout);
    while (clock.instant().isBefore(deadline)) {
      try {
        Optional<String> leader = status().leader();
        if (leader.isPresent()) {
          return leader.get();
        }
      } catch (DbException.Failed notYet) {
        // ZooKeeper still forming its quorum
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    throw new DbException.Failed(
        "no primary within " + timeout.toSeconds() + " s; see " + spec.home().resolve("members"),
        null);
  }

  /** Waits until every member that is not stopped streams from the primary. */
  public void awaitStandbys(Duration timeout) {
    Instant deadline = clock.instant().plus(timeout);
    while (clock.instant().isBefore(deadline)) {
      ClusterStatus s = status();
      boolean all =
          s.leader().isPresent()
              && s.members().stream()
                  .filter(m -> !m.role().equals("primary") && !stopped.contains(m.name()))
                  .allMatch(ClusterStatus.Member::streaming);
      if (all) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    throw new DbException.Failed(
        "standbys not streaming within " + timeout.toSeconds() + " s: " + status().toJson(), null);
  }

  /**
   * Planned switch of the primary to {@code to}, losing nothing: the primary shuts down cleanly
   * once its standbys have every WAL record, then {@code to} is promoted. Returns when {@code to}
   * takes writes.
   *
   * @throws DbException.BadRequest for an unknown member, the primary itself, a member that is not
   *     a running standby, or an asynchronous or lagging one without {@code force}
   */
  public void switchover(String to, boolean force) {
    MemberSpec target = spec.requireMember(to);
    ClusterStatus s = status();
    String leader =
        s.leader()
            .orElseThrow(
                () ->
                    new DbException.BadRequest(
                        "no primary to switch over from; use db failover --to " + to));
    if (leader.equals(to)) {
      throw new DbException.BadRequest(to + " is already the primary");
    }
    ClusterStatus.Member m = s.member(to).orElseThrow();
    if (m.pid().isEmpty() || !m.streaming()) {
      throw new DbException.BadRequest(
          to + " is not a streaming standby (" + m.agentState() + "); standbys: " + standbys(s));
    }
    long lag = m.lagBytes().orElse(Long.MAX_VALUE);
    if (!force && !target.sync() && lag > spec.policy().maxLagBytes()) {
      throw new DbException.BadRequest(
          to
              + " is an asynchronous standby "
              + lag
              + " bytes behind (more than "
              + spec.policy().maxLagBytes()
              + "); use --force to switch over anyway, or a synchronous standby: "
              + standbys(s));
    }
    request("switchover", Optional.of(to));
    awaitLeader(to, Duration.ofSeconds(60));
  }

  /**
   * Forced failover: the primary (if alive) stops at once, and {@code to} (or the best eligible
   * standby) is promoted. Unlike a switchover, commits not yet on the new primary are lost with an
   * asynchronous target. Returns the new primary's name.
   */
  public String failover(Optional<String> to) {
    to.ifPresent(spec::requireMember);
    Optional<String> before = status().leader();
    if (to.isPresent() && before.map(to.get()::equals).orElse(false)) {
      throw new DbException.BadRequest(to.get() + " is already the primary");
    }
    request("failover", to);
    Instant deadline = clock.instant().plus(Duration.ofSeconds(60));
    while (clock.instant().isBefore(deadline)) {
      Optional<String> now = status().leader();
      if (now.isPresent() && !now.equals(before) && to.map(now.get()::equals).orElse(true)) {
        return now.get();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    throw new DbException.Failed(
        "failover did not complete within 60 s: " + status().toJson(), null);
  }

  /**
   * Makes member {@code name}'s agent reach ZooKeeper through {@code connectString} instead of the
   * ensemble's own addresses (through a fault proxy, to cut that one link); from its next start.
   */
  public void routeZooKeeper(String name, String connectString) {
    spec.requireMember(name);
    zookeeperRoutes.put(name, connectString);
  }

  /** Stops member {@code name}'s agent and server cleanly; it stays stopped. */
  public void stopMember(String name) {
    spec.requireMember(name);
    stopped.add(name);
    ChildProcess p = agents.remove(name);
    if (p != null) {
      p.stop(90);
    } else {
      ChildProcess.running(agentPid(name)).ifPresent(ProcessHandle::destroy);
    }
  }

  /** Starts member {@code name}'s agent again. */
  public void startMember(String name) {
    spec.requireMember(name);
    stopped.remove(name);
    startAgent(name);
  }

  /**
   * Kills member {@code name} as a crash would: SIGKILL to its agent and its server. Its agent is
   * restarted by the owner (after a second), and rejoins as a standby.
   */
  public void killMember(String name) {
    spec.requireMember(name);
    Optional<Long> pg = postmasterPid(name);
    ChildProcess p = agents.get(name);
    if (p != null) {
      diedAt.put(name, System.nanoTime());
      p.kill();
    } else {
      ChildProcess.running(agentPid(name)).ifPresent(ProcessHandle::destroyForcibly);
    }
    pg.flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
  }

  /** Kills only member {@code name}'s PostgreSQL server with SIGKILL. */
  public void killServer(String name) {
    spec.requireMember(name);
    postmasterPid(name).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
  }

  /** The pid of member {@code name}'s postmaster, from its {@code postmaster.pid}. */
  public Optional<Long> postmasterPid(String name) {
    Path file = spec.dataDir(name).resolve("postmaster.pid");
    try {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** The pid of member {@code name}'s agent, if it runs. */
  public Optional<Long> agentProcess(String name) {
    ChildProcess p = agents.get(name);
    if (p != null && p.alive()) {
      return Optional.of(p.pid());
    }
    return ChildProcess.running(agentPid(name)).map(ProcessHandle::pid);
  }

  private static void requireLocal(MemberSpec m) {
    InetAddress address;
    try {
      address = InetAddress.getByName(m.host());
    } catch (UnknownHostException e) {
      throw new DbException.BadRequest(
          "member " + m.name() + ": host " + m.host() + " does not resolve to an address");
    }
    boolean local;
    try {
      local =
          address.isLoopbackAddress()
              || address.isAnyLocalAddress()
              || NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      local = false;
    }
    if (!local) {
      throw new DbException.BadRequest(
          "member "
              + m.name()
              + ": host "
              + m.host()
              + (m.host().equals(address.getHostAddress())
                  ? ""
                  : " (" + address.getHostAddress() + ")")
              + " is not an address of this machine, and every member's server runs here");
    }
  }

  /**
   * Stops every agent (standbys first, so none is promoted) and the ensemble. Nothing of the
   * cluster is left running once this returns: the supervisor has stopped before the agents (so it
   * cannot restart one of them), and the backup schedule has ended.
   */
  @Override
  public void close() {
    closing = true;
    stopThread(supervisor);
    if (owner) {
      Optional<String> leader = Optional.empty();
      try {
        leader = status().leader();
      } catch (RuntimeException e) {
        log.debug("no status while stopping: {}", e.toString());
      }
      Map<String, ChildProcess> order = new LinkedHashMap<>();
      for (MemberSpec m : spec.members()) {
        if (!leader.map(m.name()::equals).orElse(false) && agents.containsKey(m.name())) {
          order.put(m.name(), agents.get(m.name()));
        }
      }
      leader.filter(agents::containsKey).ifPresent(l -> order.put(l, agents.get(l)));
      agents.forEach(order::putIfAbsent);
      order.values().forEach(p -> p.stop(90));
      agents.clear();
    }
    // a backup under way fails quickly once the servers are gone
    stopThread(backups);
    if (zk != null) {
      zk.close();
    }
    if (ensemble != null) {
      ensemble.close();
    }
  }

  /** Wakes {@code t} (parked or sleeping until its next round) and waits until it has ended. */
  private static void stopThread(Thread t) {
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    t.interrupt();
    try {
      if (!t.join(Duration.ofSeconds(60))) {
        log.warn("{} did not end within 60 s of close", t.getName());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void request(String kind, Optional<String> to) {
    try {
      store().request(new ClusterStore.Request(kind, to, clock.millis()));
    } catch (Exception e) {
      throw new DbException.Failed(
          "cannot ask the cluster for a " + kind + ": " + e.getMessage(), e);
    }
  }

  private void awaitLeader(String member, Duration timeout) {
    Instant deadline = clock.instant().plus(timeout);
    while (clock.instant().isBefore(deadline)) {
      if (status().leader().map(member::equals).orElse(false)) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    throw new DbException.Failed(
        member
            + " did not become primary within "
            + timeout.toSeconds()
            + " s: "
            + status().toJson(),
        null);
  }

  private static String standbys(ClusterStatus s) {
    return String.join(
        ", ",
        s.members().stream()
            .filter(m -> m.role().equals("standby"))
            .map(m -> m.name() + (m.sync() ? " (sync)" : " (async)"))
            .toList());
  }

  private synchronized ClusterStore store() {
    if (store == null) {
      zk =
          CuratorFrameworkFactory.builder()
              .connectString(spec.zookeeper().connectString())
              .sessionTimeoutMs(10_000)
              .connectionTimeoutMs(5_000)
              .retryPolicy(new RetryNTimes(3, 200))
              .build();
      zk.start();
      store = new ClusterStore(zk, spec.name());
    }
    return store;
  }

  private void startAgent(String name) {
    agents.put(
        name,
        ChildProcess.start(
            AgentMain.class.getName(),
            zookeeperRoutes.containsKey(name)
                ? List.of(
                    spec.home().resolve(ClusterSpec.FILE).toString(),
                    name,
                    zookeeperRoutes.get(name))
                : List.of(spec.home().resolve(ClusterSpec.FILE).toString(), name),
            "128m",
            spec.memberDir(name).resolve("agent.log"),
            agentPid(name),
            ChildProcess.writeLogbackConfig(spec.home().resolve("logback-children.xml")),
            // the owner's agents end with it; one started through a handle opened from another
            // process (a DR failback) must outlive that command
            owner));
  }

  private Path agentPid(String name) {
    return spec.memberDir(name).resolve("agent.pid");
  }

  private void supervise() {
    while (!closing) {
      for (MemberSpec m : spec.members()) {
        String name = m.name();
        ChildProcess p = agents.get(name);
        if (stopped.contains(name) || p == null || p.alive() || closing) {
          continue;
        }
        long died = diedAt.computeIfAbsent(name, n -> System.nanoTime());
        if (System.nanoTime() - died >= RESTART_DELAY.toNanos()) {
          log.warn("agent of {} died; restarting it", name);
          diedAt.remove(name);
          startAgent(name);
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
  }
}
