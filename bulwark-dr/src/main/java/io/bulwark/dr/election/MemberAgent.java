package io.bulwark.dr.election;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.MemberSpec;
import io.bulwark.dr.cluster.MemberServer;
import io.bulwark.dr.cluster.ServerState;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent of one database member, run as its own process next to its PostgreSQL server (Patroni's
 * HA loop). Every loop it checks its server and the coordination store and acts:
 *
 * <ul>
 *   <li>as primary, it holds the leader lease (an ephemeral znode of its session), publishes its
 *       WAL position, and keeps the synchronous standbys in {@code synchronous_standby_names} and
 *       the store's {@code sync} set in the order that never leaves an acknowledged commit outside
 *       the eligible set;
 *   <li>as standby, it streams from the lease holder, re-clones when it cannot follow the holder's
 *       timeline, and when no one holds the lease, promotes itself if it is the most up-to-date
 *       eligible standby;
 *   <li>after losing the lease, it rejoins as a standby of the new primary (a fresh clone).
 * </ul>
 *
 * <p>Fencing: a watchdog stops the server immediately when the agent has not heard from the store
 * for {@code sessionTimeout - fenceBudget}, measured from when the last successful request was
 * sent. ZooKeeper expires a session no earlier than {@code sessionTimeout} after it last heard from
 * the client, so the old primary stops writing before its lease can vanish and anyone else can be
 * promoted. The server also stops when the agent itself dies: it is started with the kernel's
 * parent-death signal.
 */
public final class MemberAgent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MemberAgent.class);

  enum Role {
    STARTING,
    PRIMARY,
    STANDBY,
    REJOINING,
    FENCED
  }

  /** An operator's request not carried out within this is dropped. */
  static final Duration REQUEST_TTL = Duration.ofSeconds(30);

  private final ClusterSpec spec;
  private final MemberSpec me;
  private final MemberServer server;
  private final CuratorFramework zk;
  private final ClusterStore store;
  private final Clock clock;
  private final long fenceAfterNanos;

  private volatile Role role = Role.STARTING;
  private volatile boolean running = true;
  private volatile long lastContactNanos = System.nanoTime();
  private volatile long leaseSession;
  private volatile long serverPid;
  private long leaderlessSinceNanos;
  private long notStreamingSinceNanos;
  private long term;
  private List<String> syncSet = List.of();
  private PendingShrink pendingShrink;
  private volatile Thread loop;
  private Thread heartbeat;
  private Thread watchdog;

  private record PendingShrink(List<String> set, long lsn) {}

  /**
   * An agent for {@code member} of {@code spec} that reaches ZooKeeper at {@code zookeeper}; {@link
   * #start()} runs it.
   */
  public MemberAgent(ClusterSpec spec, String member, String zookeeper, Clock clock) {
    this.spec = spec;
    this.me = spec.requireMember(member);
    this.server = new MemberServer(spec, me, true);
    this.clock = clock;
    Duration session = spec.sessionTimeout();
    Duration budget =
        session.dividedBy(4).compareTo(Duration.ofMillis(500)) < 0
            ? Duration.ofMillis(500)
            : session.dividedBy(4);
    this.fenceAfterNanos = session.minus(budget).toNanos();
    this.zk =
        CuratorFrameworkFactory.builder()
            .connectString(zookeeper)
            .sessionTimeoutMs((int) session.toMillis())
            .connectionTimeoutMs((int) session.toMillis())
            .retryPolicy(new RetryNTimes(2, (int) spec.loopInterval().toMillis()))
            .build();
    this.store = new ClusterStore(zk, spec.name());
    // a lease that vanishes (its holder's session expired) wakes the loop at once
    store.watchLeader(
        () -> {
          Thread t = loop;
          if (t != null) {
            LockSupport.unpark(t);
          }
        });
  }

  /** Connects to the store and starts the loop, the heartbeat and the fencing watchdog. */
  public MemberAgent start() {
    zk.start();
    loop = Thread.ofPlatform().name("agent-" + me.name()).start(this::runLoop);
    heartbeat = Thread.ofPlatform().daemon().name("agent-heartbeat").start(this::runHeartbeat);
    watchdog = Thread.ofPlatform().daemon().name("agent-watchdog").start(this::runWatchdog);
    return this;
  }

  /** Blocks until the agent stops. */
  public void awaitStop() throws InterruptedException {
    loop.join();
  }

  /** Stops the loop and the server (fast shutdown), then leaves the store. */
  @Override
  public void close() {
    running = false;
    if (loop != null) {
      loop.interrupt();
      try {
        loop.join(TimeUnit.SECONDS.toMillis(90));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    zk.close();
  }

  private void runLoop() {
    while (running) {
      long started = System.nanoTime();
      try {
        tick();
      } catch (InterruptedException e) {
        break;
      } catch (Exception e) {
        log.warn("{}: loop failed: {}", me.name(), e.toString());
      }
      long rest = spec.loopInterval().toNanos() - (System.nanoTime() - started);
      if (rest > 0) {
        LockSupport.parkNanos(rest);
      }
    }
    // close() interrupted this thread to end the loop; the clean shutdown below must not be
    Thread.interrupted();
    try {
      server.close();
      if (role == Role.PRIMARY) {
        store.release(me.name());
      }
    } catch (Exception e) {
      log.warn("{}: stopping failed: {}", me.name(), e.toString());
    }
  }

  private void runHeartbeat() {
    while (running) {
      long sent = System.nanoTime();
      try {
        var handle = zk.getZookeeperClient().getZooKeeper();
        handle.exists("/", false);
        if (handle.getSessionId() == leaseSession || role != Role.PRIMARY) {
          lastContactNanos = sent;
        }
      } catch (Exception e) {
        // no contact; the watchdog decides
      }
      LockSupport.parkNanos(spec.loopInterval().toNanos());
    }
  }

  private void runWatchdog() {
    while (running) {
      if (role == Role.PRIMARY && System.nanoTime() - lastContactNanos > fenceAfterNanos) {
        fence(
            "no answer from ZooKeeper for "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastContactNanos)
                + " ms");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** Stops the server at once (SIGQUIT) without waiting for any lock the loop may hold. */
  private synchronized void fence(String why) {
    if (role != Role.PRIMARY) {
      return;
    }
    role = Role.FENCED;
    long pid = serverPid;
    log.warn("{}: fencing: {}; stopping PostgreSQL (pid {}) immediately", me.name(), why, pid);
    if (pid > 0) {
      try {
        new ProcessBuilder("kill", "-s", "QUIT", Long.toString(pid))
            .start()
            .waitFor(2, TimeUnit.SECONDS);
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(5, TimeUnit.SECONDS).join());
      } catch (Exception e) {
        log.error("{}: fencing signal failed: {}", me.name(), e.toString());
      }
    }
    log.warn("{}: fenced", me.name());
  }

  private void tick() throws Exception {
    if (!zk.getZookeeperClient().isConnected()) {
      return; // nothing safe to decide; the watchdog fences a primary in time
    }
    Optional<ClusterStore.Leader> leader = store.leader();
    switch (role) {
      case STARTING -> starting(leader);
      case PRIMARY -> primary(leader);
      case STANDBY -> standby(leader);
      case REJOINING, FENCED -> rejoin(leader);
    }
    publish(leader.isEmpty());
  }

  private void starting(Optional<ClusterStore.Leader> leader) throws Exception {
    if (!store.initialized()) {
      if (!me.bootstrap()) {
        return; // wait for the bootstrap member
      }
      if (store.acquire(me.name(), 1)) {
        log.info("{}: initialising the cluster as its first primary", me.name());
        server.initialisePrimary();
        serverPid = server.pid().orElse(0L);
        store.setLastLeader(me.name(), 1);
        store.setSync(List.of());
        becomePrimary(1, 0);
        store.markInitialized();
      }
      return;
    }
    if (leader.isPresent() && leader.get().member().equals(me.name())) {
      // our previous process died holding the lease; its server died with it
      store.removeStaleLease(me.name());
      leader = Optional.empty();
    }
    if (leader.isPresent()
        && leader.get().ready()
        && server.hasData()
        && java.nio.file.Files.exists(server.dataDir().resolve("standby.signal"))) {
      // a standby restarting: resume streaming from its own data; re-cloned only if that fails
      log.info("{}: starting as a standby of {}", me.name(), leader.get().member());
      startServer();
      role = Role.STANDBY;
      notStreamingSinceNanos = System.nanoTime();
      return;
    }
    role = Role.REJOINING;
    leaderlessSinceNanos = System.nanoTime();
    rejoin(leader);
  }

  private void rejoin(Optional<ClusterStore.Leader> leader) throws Exception {
    if (leader.isPresent() && leader.get().member().equals(me.name())) {
      // fenced (or handed over) while the lease is still ours: give it up so that another
      // member, or this one after a restart of its server, can take it properly
      store.release(me.name());
      store.removeStaleLease(me.name());
      return;
    }
    if (leader.isPresent() && !leader.get().member().equals(me.name())) {
      if (!leader.get().ready()) {
        return;
      }
      MemberSpec source = spec.requireMember(leader.get().member());
      log.info("{}: rejoining as a standby of {} (fresh clone)", me.name(), source.name());
      server.stopImmediately();
      publishRole("cloning");
      server.cloneFrom(source);
      startServer();
      role = Role.STANDBY;
      notStreamingSinceNanos = 0;
      return;
    }
    if (leader.isEmpty()) {
      if (leaderlessSinceNanos == 0) {
        leaderlessSinceNanos = System.nanoTime();
      }
      // Only the last primary may resume, and only when no standby took over first: give them
      // a few loops, as a healthy standby is a better primary than a crashed one.
      boolean waited =
          System.nanoTime() - leaderlessSinceNanos > spec.loopInterval().multipliedBy(8).toNanos();
      if (waited
          && server.hasData()
          && !java.nio.file.Files.exists(server.dataDir().resolve("standby.signal"))
          && store.lastLeader().map(me.name()::equals).orElse(false)) {
        long t = store.term();
        if (store.acquire(me.name(), t)) {
          log.info("{}: resuming as primary (last primary, no standby took over)", me.name());
          startServer();
          syncSet = store.sync();
          server.setSynchronousStandbys(syncSet);
          becomePrimary(t, 0);
        }
      }
    } else {
      leaderlessSinceNanos = 0;
    }
  }

  private void startServer() {
    server.start();
    serverPid = server.pid().orElse(0L);
  }

  private void becomePrimary(long term, long forkLsn) throws Exception {
    this.term = term;
    leaseSession = zk.getZookeeperClient().getZooKeeper().getSessionId();
    lastContactNanos = System.nanoTime();
    pendingShrink = null;
    store.markReady(me.name(), term, forkLsn);
    role = Role.PRIMARY;
    leaderlessSinceNanos = 0;
  }

  private void primary(Optional<ClusterStore.Leader> leader) throws Exception {
    long session = zk.getZookeeperClient().getZooKeeper().getSessionId();
    if (leader.isEmpty()
        || !leader.get().member().equals(me.name())
        || leader.get().session() != session) {
      fence("the leader lease is no longer ours");
      return;
    }
    if (!server.running()) {
      fence("PostgreSQL is not running");
      store.release(me.name());
      return;
    }
    ServerState state;
    try {
      state = server.state();
    } catch (SQLException e) {
      log.warn("{}: cannot read the primary's state: {}", me.name(), e.getMessage());
      return;
    }
    store.setOptime(state.lsn());
    manageSync(state);
    Optional<ClusterStore.Request> request = store.request();
    if (request.isPresent()) {
      handOver(request.get());
    }
  }

  /**
   * Keeps {@code synchronous_standby_names} and the store's {@code sync} set in step. Growing a
   * non-empty set: the store first (a lagging newcomer is harmless there: failover compares every
   * member of the set and takes the most advanced). Growing from empty (the primary acknowledged
   * commits alone): the server first, and the store only once the newcomer has everything written
   * until then. Shrinking: the server first, and the store once the remaining members have caught
   * up to where the primary was at that moment.
   */
  private void manageSync(ServerState state) throws Exception {
    List<String> configured =
        spec.members().stream()
            .filter(m -> m.sync() && !m.equals(me))
            .map(MemberSpec::name)
            .toList();
    List<String> desired;
    if (spec.policy().strictSync()) {
      desired = configured;
    } else {
      Set<String> streaming = new LinkedHashSet<>();
      for (ServerState.Standby s : state.replication()) {
        if (s.state().equals("streaming") && configured.contains(s.name())) {
          streaming.add(s.name());
        }
      }
      desired = configured.stream().filter(streaming::contains).toList();
    }
    List<String> stored = store.sync();
    if (pendingShrink != null) {
      boolean caughtUp =
          pendingShrink.set().stream()
              .allMatch(
                  n ->
                      state.replication().stream()
                          .anyMatch(
                              s -> s.name().equals(n) && s.flushLsn() >= pendingShrink.lsn()));
      if (caughtUp) {
        store.setSync(pendingShrink.set());
        pendingShrink = null;
      }
      return;
    }
    if (desired.equals(syncSet) && stored.equals(syncSet)) {
      return;
    }
    List<String> added = desired.stream().filter(n -> !syncSet.contains(n)).toList();
    List<String> removed = syncSet.stream().filter(n -> !desired.contains(n)).toList();
    if (!added.isEmpty()) {
      List<String> grown = new ArrayList<>(syncSet);
      grown.addAll(added);
      if (syncSet.isEmpty()) {
        server.setSynchronousStandbys(grown);
        pendingShrink = new PendingShrink(grown, state.lsn());
      } else {
        store.setSync(grown);
        server.setSynchronousStandbys(grown);
      }
      log.info("{}: synchronous standbys now {}", me.name(), grown);
      syncSet = grown;
    } else if (!removed.isEmpty()) {
      List<String> shrunk = syncSet.stream().filter(desired::contains).toList();
      server.setSynchronousStandbys(shrunk);
      if (shrunk.isEmpty()) {
        store.setSync(shrunk);
      } else {
        pendingShrink = new PendingShrink(shrunk, state.lsn());
      }
      log.info(
          "{}: synchronous standbys now {} ({} stopped streaming)", me.name(), shrunk, removed);
      syncSet = shrunk;
    } else if (!stored.equals(syncSet)) {
      store.setSync(syncSet);
    }
  }

  private void handOver(ClusterStore.Request request) throws Exception {
    if (request.to().isPresent() && request.to().get().equals(me.name())) {
      store.clearRequest();
      return;
    }
    if (request.kind().equals("switchover")) {
      // fast shutdown: walsenders send every WAL record to connected standbys before exiting
      log.info("{}: switchover requested to {}; shutting down cleanly", me.name(), request.to());
      role = Role.REJOINING;
      server.close();
    } else {
      log.info("{}: failover requested; stopping immediately", me.name());
      role = Role.REJOINING;
      server.stopImmediately();
    }
    store.release(me.name());
    leaderlessSinceNanos = System.nanoTime();
  }

  private void standby(Optional<ClusterStore.Leader> leader) throws Exception {
    if (!server.running()) {
      log.warn("{}: PostgreSQL is not running; rejoining", me.name());
      role = Role.REJOINING;
      return;
    }
    ServerState state;
    try {
      state = server.state();
    } catch (SQLException e) {
      return;
    }
    if (leader.isPresent()) {
      leaderlessSinceNanos = 0;
      ClusterStore.Leader l = leader.get();
      if (!l.ready() || l.member().equals(me.name())) {
        return;
      }
      Optional<String> following = server.following();
      if (following.isEmpty() || !following.get().equals(l.member())) {
        if (state.lsn() > l.forkLsn() && l.forkLsn() > 0 || l.forkLsn() == 0) {
          log.info(
              "{}: ahead of {}'s timeline fork (or fork unknown); re-cloning",
              me.name(),
              l.member());
          role = Role.REJOINING;
          rejoin(leader);
        } else {
          log.info("{}: following the new primary {}", me.name(), l.member());
          server.follow(spec.requireMember(l.member()));
          notStreamingSinceNanos = System.nanoTime();
        }
        return;
      }
      if (state.streaming()) {
        notStreamingSinceNanos = 0;
      } else if (notStreamingSinceNanos == 0) {
        notStreamingSinceNanos = System.nanoTime();
      } else if (System.nanoTime() - notStreamingSinceNanos > TimeUnit.SECONDS.toNanos(10)) {
        log.warn("{}: not streaming from {} for 10 s; re-cloning", me.name(), l.member());
        role = Role.REJOINING;
        rejoin(leader);
      }
      return;
    }
    elect();
  }

  private void elect() throws Exception {
    if (leaderlessSinceNanos == 0) {
      // publish the final position, then decide now if every live standby has published its own
      leaderlessSinceNanos = System.nanoTime();
      publish(true);
    }
    Optional<ClusterStore.Request> request = store.request();
    long now = clock.millis();
    if (request.isPresent() && now - request.get().atMs() > REQUEST_TTL.toMillis()) {
      log.warn(
          "{}: dropping the {} request older than {}",
          me.name(),
          request.get().kind(),
          REQUEST_TTL);
      store.clearRequest();
      request = Optional.empty();
    }
    Map<String, MemberState> alive = new java.util.LinkedHashMap<>();
    boolean allSawIt = true;
    for (MemberState s : store.members().values()) {
      if (now - s.updatedAtMs() <= spec.sessionTimeout().toMillis()) {
        alive.put(s.name(), s);
        allSawIt &= s.leaderless() || !s.standby();
      }
    }
    boolean waited =
        System.nanoTime() - leaderlessSinceNanos > spec.loopInterval().multipliedBy(4).toNanos();
    if (!allSawIt && !waited) {
      return; // let every standby publish its final position first
    }
    Candidates.Decision d =
        Candidates.choose(alive, store.sync(), store.optime(), spec.policy(), request);
    if (d.member().isEmpty() || !d.member().get().equals(me.name())) {
      return;
    }
    long t = store.term() + 1;
    if (!store.acquire(me.name(), t)) {
      return;
    }
    ServerState before = server.state();
    log.info("{}: promoting ({}), term {}", me.name(), d.reason(), t);
    store.setLastLeader(me.name(), t);
    List<String> others =
        spec.members().stream()
            .filter(m -> m.sync() && !m.equals(me))
            .map(MemberSpec::name)
            .toList();
    List<String> initial = spec.policy().strictSync() ? others : List.of();
    // nobody is eligible until the new primary's standbys have caught up again
    store.setSync(initial);
    server.promote(initial, Duration.ofSeconds(60));
    syncSet = initial;
    if (request.isPresent()) {
      store.clearRequest();
    }
    becomePrimary(t, before.lsn());
    log.info("{}: promoted; primary of term {}", me.name(), t);
  }

  private void publishRole(String roleName) {
    try {
      store.publish(MemberState.down(me.name(), roleName, false, clock.millis()));
    } catch (Exception e) {
      log.debug("{}: cannot publish: {}", me.name(), e.toString());
    }
  }

  private void publish(boolean leaderless) throws Exception {
    String name =
        switch (role) {
          case PRIMARY -> "primary";
          case STANDBY -> "standby";
          case STARTING -> "starting";
          case REJOINING -> "rejoining";
          case FENCED -> "fenced";
        };
    MemberState state;
    if (server.running()) {
      try {
        state =
            MemberState.of(
                me.name(),
                name,
                server.pid().orElse(0L),
                server.state(),
                leaderless,
                clock.millis());
      } catch (SQLException e) {
        state = MemberState.down(me.name(), name, leaderless, clock.millis());
      }
    } else {
      state = MemberState.down(me.name(), name, leaderless, clock.millis());
    }
    store.publish(state);
  }
}
