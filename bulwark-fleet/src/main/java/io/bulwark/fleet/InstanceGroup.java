package io.bulwark.fleet;

import io.bulwark.fleet.GroupEvent.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * An instance group (an auto scaling group): keeps {@code desired} instances in service, spread
 * evenly over its zones, and
 *
 * <ul>
 *   <li>registers an instance with the gateway once its health check passes, and replaces one that
 *       dies, fails {@code unhealthyThreshold} checks in a row after its grace period, or is not
 *       ready within its grace period;
 *   <li>places launches in other zones while a zone refuses them (zone loss);
 *   <li>removes instances by deregistering them first and stopping them only when their requests in
 *       flight are done or the deregistration delay has passed (scale-in protection while
 *       draining);
 *   <li>replaces every instance in a rolling refresh, never letting in-service healthy capacity
 *       drop below {@code minHealthyPercent} of desired, waiting for each batch's warm-up;
 *   <li>follows a {@link TargetTracking} policy on a {@link Metric} and applies {@link
 *       ScheduledAction}s.
 * </ul>
 *
 * All of that happens in {@link #tick()}, which something calls regularly ({@link Fleet} does it
 * every 100 ms); time comes from the injected {@link Clock}, so tests move time by hand. Methods
 * are thread-safe.
 */
public final class InstanceGroup implements AutoCloseable {

  private static final int MAX_EVENTS = 2000;

  private final GroupConfig config;
  private final Provider provider;
  private final Registrar registrar;
  private final HealthProbe probe;
  private final Clock clock;
  private final List<Member> members = new ArrayList<>();
  private final List<CompletableFuture<Void>> stopping = new ArrayList<>();
  private final Deque<GroupEvent> events = new ArrayDeque<>();
  private final List<Consumer<GroupEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Map<Zone, Instant> impairedUntil = new HashMap<>();
  private final List<ScheduledAction> schedule = new ArrayList<>();
  private final Deque<Integer> lowWants = new ArrayDeque<>();
  private int min;
  private int max;
  private int desired;
  private int generation = 1;
  private int nextId = 1;
  private Refresh refresh;
  private TargetTracking tracking;
  private Metric metric;
  private Instant nextEvaluation = Instant.MIN;
  private Instant lowSince;
  private Instant launchBackoffUntil = Instant.MIN;
  private boolean closed;

  private InstanceGroup(
      GroupConfig config, Provider provider, Registrar registrar, HealthProbe probe, Clock clock) {
    this.config = config;
    this.provider = provider;
    this.registrar = registrar;
    this.probe = probe;
    this.clock = clock;
    this.min = config.min();
    this.max = config.max();
    this.desired = config.desired();
  }

  /**
   * A group that launches through {@code provider}, registers through {@code registrar}, checks
   * health with {@code probe} and reads time from {@code clock}. Nothing starts before the first
   * {@link #tick()}.
   */
  public static InstanceGroup create(
      GroupConfig config, Provider provider, Registrar registrar, HealthProbe probe, Clock clock) {
    return new InstanceGroup(
        Objects.requireNonNull(config, "config"),
        Objects.requireNonNull(provider, "provider"),
        Objects.requireNonNull(registrar, "registrar"),
        Objects.requireNonNull(probe, "probe"),
        Objects.requireNonNull(clock, "clock"));
  }

  /** The group's name. */
  public String name() {
    return config.name();
  }

  /** The configuration it started from. */
  public GroupConfig config() {
    return config;
  }

  /**
   * Sets the desired count.
   *
   * @throws IllegalArgumentException when it is outside [min, max]
   */
  public synchronized void setDesired(int desired) {
    GroupConfig.checkSize(min, max, desired);
    resize(min, max, desired, "desired set to " + desired);
  }

  /**
   * Sets min, max and desired together.
   *
   * @throws IllegalArgumentException when they do not satisfy min <= desired <= max
   */
  public synchronized void setSize(int min, int max, int desired) {
    GroupConfig.checkSize(min, max, desired);
    resize(min, max, desired, "size set to " + min + ".." + max + ", desired " + desired);
  }

  /** Follows {@code policy} on {@code metric} from the next tick on. */
  public synchronized void track(TargetTracking policy, Metric metric) {
    this.tracking = Objects.requireNonNull(policy, "policy");
    this.metric = Objects.requireNonNull(metric, "metric");
    this.nextEvaluation = Instant.MIN;
    this.lowSince = null;
    this.lowWants.clear();
  }

  /** Adds a scheduled action; it applies on the first tick at or after its time. */
  public synchronized void schedule(ScheduledAction action) {
    schedule.add(Objects.requireNonNull(action, "action"));
    schedule.sort(Comparator.comparing(ScheduledAction::at));
  }

  /**
   * Starts a rolling refresh replacing every instance with a new generation, or returns the one in
   * progress.
   */
  public synchronized RefreshStatus startRefresh() {
    if (refresh != null && refresh.finishedAt == null) {
      return refresh.status();
    }
    generation++;
    int total = (int) members.stream().filter(m -> m.state != Lifecycle.TERMINATING).count();
    refresh = new Refresh(generation, clock.instant(), total);
    refresh.minSeen = healthyPercent();
    event(
        Kind.REFRESH_STARTED,
        null,
        "rolling refresh to generation "
            + generation
            + " of "
            + total
            + " instances, keeping "
            + config.minHealthyPercent()
            + "% healthy");
    return refresh.status();
  }

  /** A snapshot of the group. */
  public synchronized GroupStatus status() {
    List<InstanceStatus> list = new ArrayList<>();
    for (Member m : members) {
      list.add(
          new InstanceStatus(
              m.instance.id(),
              m.instance.zone(),
              m.instance.host(),
              m.instance.port(),
              m.instance.pid(),
              m.state,
              m.healthy,
              m.generation,
              m.launchedAt,
              Optional.ofNullable(m.inServiceAt)));
    }
    return new GroupStatus(
        config.name(), min, max, desired, list, Optional.ofNullable(refresh).map(Refresh::status));
  }

  /** The live instance with this id, if the group still has it. */
  public synchronized Optional<Instance> instance(String id) {
    return members.stream().map(m -> m.instance).filter(i -> i.id().equals(id)).findFirst();
  }

  /** The most recent events, oldest first. */
  public synchronized List<GroupEvent> events() {
    return List.copyOf(events);
  }

  /** Calls {@code listener} for every later event (on the ticking thread). */
  public void onEvent(Consumer<GroupEvent> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Does one round of the group's work: see the class comment. */
  public synchronized void tick() {
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    stopping.removeIf(CompletableFuture::isDone);
    applySchedule(now);
    autoscale(now);
    for (Member m : List.copyOf(members)) {
      step(m, now);
    }
    members.removeIf(m -> m.state == Lifecycle.TERMINATING);
    rollRefresh(now);
    reconcile(now);
    if (refresh != null && refresh.finishedAt == null) {
      refresh.minSeen = Math.min(refresh.minSeen, healthyPercent());
    }
  }

  /**
   * Deregisters every instance, stops them all and waits up to {@code stopGrace} plus a second for
   * them to exit. Idempotent.
   */
  @Override
  public void close() {
    List<CompletableFuture<Void>> waits;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      for (Member m : members) {
        if (m.state == Lifecycle.IN_SERVICE || m.state == Lifecycle.DRAINING) {
          safely(() -> registrar.remove(m.instance));
        }
        if (m.state != Lifecycle.TERMINATING) {
          stopping.add(m.instance.stop(config.stopGrace()));
          m.state = Lifecycle.TERMINATING;
        }
      }
      members.clear();
      waits = List.copyOf(stopping);
    }
    try {
      CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
          .get(config.stopGrace().toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Providers kill what does not stop in time; nothing more to do here.
    }
  }

  // ---- one instance ----

  private void step(Member m, Instant now) {
    switch (m.state) {
      case PENDING, IN_SERVICE -> {
        if (!m.instance.isAlive()) {
          event(Kind.DIED, m, "exited; replacing it");
          if (m.state == Lifecycle.IN_SERVICE) {
            safely(() -> registrar.remove(m.instance));
          }
          terminate(m, now, "it died");
          return;
        }
        if (m.probe != null && m.probe.isDone()) {
          boolean ok = m.probe.getNow(false);
          m.probe = null;
          m.lastCheck = now;
          checked(m, ok, now);
        }
        if (m.state == Lifecycle.PENDING
            && !now.isBefore(m.launchedAt.plus(config.gracePeriod()))) {
          event(
              Kind.UNHEALTHY,
              m,
              "not ready within its grace period of "
                  + config.gracePeriod().toMillis()
                  + " ms; replacing it");
          terminate(m, now, "never became ready");
          return;
        }
        boolean due =
            m.state == Lifecycle.PENDING
                || m.lastCheck == null
                || !now.isBefore(m.lastCheck.plus(config.healthCheckInterval()));
        if ((m.state == Lifecycle.PENDING || m.state == Lifecycle.IN_SERVICE)
            && m.probe == null
            && due) {
          m.probe = probe.check(m.instance);
        }
      }
      case DRAINING -> {
        boolean drained = m.drain == null || m.drain.isDone();
        boolean delayOver = !now.isBefore(m.drainStartedAt.plus(config.deregistrationDelay()));
        if (drained || delayOver || !m.instance.isAlive()) {
          terminate(m, now, drained ? "drained" : "deregistration delay over");
        }
      }
      case TERMINATING -> {}
    }
  }

  private void checked(Member m, boolean ok, Instant now) {
    if (m.state == Lifecycle.PENDING) {
      if (!ok) {
        return;
      }
      try {
        registrar.register(m.instance);
      } catch (RuntimeException e) {
        event(Kind.LAUNCH_FAILED, m, "could not register: " + e.getMessage());
        terminate(m, now, "registration failed");
        return;
      }
      m.healthy = true;
      m.failures = 0;
      m.state = Lifecycle.IN_SERVICE;
      m.inServiceAt = now;
      event(
          Kind.IN_SERVICE,
          m,
          "ready and registered "
              + Duration.between(m.launchedAt, now).toMillis()
              + " ms after launch");
      return;
    }
    if (m.state != Lifecycle.IN_SERVICE) {
      return;
    }
    if (ok) {
      m.failures = 0;
      m.healthy = true;
      return;
    }
    m.failures++;
    if (m.failures >= config.unhealthyThreshold()) {
      m.healthy = false;
      if (!now.isBefore(m.launchedAt.plus(config.gracePeriod()))) {
        event(
            Kind.UNHEALTHY,
            m,
            m.failures + " failed health checks in a row; draining and replacing it");
        drain(m, now);
      }
    }
  }

  private void drain(Member m, Instant now) {
    m.state = Lifecycle.DRAINING;
    m.drainStartedAt = now;
    m.healthy = false;
    try {
      m.drain = registrar.deregister(m.instance);
    } catch (RuntimeException e) {
      m.drain = CompletableFuture.completedFuture(null);
    }
    event(Kind.DRAINING, m, "deregistered; finishing requests in flight");
  }

  private void terminate(Member m, Instant now, String why) {
    m.state = Lifecycle.TERMINATING;
    m.healthy = false;
    if (m.probe != null) {
      m.probe.cancel(false);
    }
    stopping.add(m.instance.stop(config.stopGrace()));
    event(
        Kind.TERMINATED,
        m,
        "stopping (" + why + ") after " + Duration.between(m.launchedAt, now).toMillis() + " ms");
  }

  // ---- the group as a whole ----

  private void reconcile(Instant now) {
    List<Member> active = active();
    int target = desired + surge();
    if (active.size() < target) {
      if (now.isBefore(launchBackoffUntil)) {
        return;
      }
      for (int k = active.size(); k < target; k++) {
        if (!launchOne(now)) {
          break;
        }
      }
    } else if (active.size() > target) {
      for (int k = target; k < active.size(); k++) {
        scaleInOne(now);
      }
    }
  }

  private boolean launchOne(Instant now) {
    for (int attempt = 0; attempt < config.zones().size(); attempt++) {
      List<Zone> available = availableZones(now);
      if (available.isEmpty()) {
        launchBackoffUntil = now.plusSeconds(1);
        return false;
      }
      Zone zone = pickZoneToGrow(available);
      String id = config.name() + "-" + nextId++;
      try {
        Instance instance = provider.launch(new LaunchSpec(id, config.name(), zone, generation));
        Member m = new Member(instance, generation, now);
        members.add(m);
        event(Kind.LAUNCHED, m, "launched in " + zone + " (generation " + generation + ")");
        return true;
      } catch (ZoneUnavailableException e) {
        impairedUntil.put(zone, now.plus(config.zoneRetryAfter()));
        event(Kind.ZONE_IMPAIRED, null, e.getMessage() + "; placing instances in other zones");
      } catch (RuntimeException e) {
        launchBackoffUntil = now.plusSeconds(1);
        event(Kind.LAUNCH_FAILED, null, "launch of " + id + " in " + zone + " failed: " + e);
        return false;
      }
    }
    return false;
  }

  private void scaleInOne(Instant now) {
    List<Member> active = active();
    Map<Zone, Integer> wanted = placement(desired + surge(), availableZones(now));
    Map<Zone, Integer> have = countByZone(active);
    Member victim =
        active.stream()
            .max(
                Comparator.<Member>comparingInt(
                        m -> have.getOrDefault(m.zone(), 0) - wanted.getOrDefault(m.zone(), 0))
                    .thenComparing(m -> -m.generation)
                    .thenComparing(m -> m.state == Lifecycle.PENDING ? 1 : 0)
                    .thenComparing(m -> m.launchedAt))
            .orElseThrow();
    if (victim.state == Lifecycle.PENDING) {
      event(Kind.SCALED, victim, "removed while still pending (scale in)");
      terminate(victim, now, "scale in");
    } else {
      event(Kind.SCALED, victim, "scale in: draining before it stops");
      drain(victim, now);
    }
  }

  private void rollRefresh(Instant now) {
    if (refresh == null || refresh.finishedAt != null) {
      return;
    }
    List<Member> old =
        members.stream()
            .filter(m -> m.generation < refresh.generation && m.state != Lifecycle.TERMINATING)
            .toList();
    if (old.isEmpty()) {
      refresh.finishedAt = now;
      refresh.surge = false;
      event(
          Kind.REFRESH_DONE,
          null,
          "rolling refresh done in "
              + Duration.between(refresh.startedAt, now).toMillis()
              + " ms; lowest healthy capacity "
              + Math.round(refresh.minSeen)
              + "%");
      return;
    }
    List<Member> active = active();
    boolean settling =
        active.size() < desired
            || active.stream()
                .anyMatch(
                    m ->
                        m.state == Lifecycle.PENDING
                            || (m.generation == refresh.generation
                                && now.isBefore(m.inServiceAt.plus(config.warmUp()))));
    if (settling) {
      return;
    }
    List<Member> oldInService =
        old.stream().filter(m -> m.state == Lifecycle.IN_SERVICE).collect(toMutable());
    if (oldInService.isEmpty()) {
      return;
    }
    int healthy = healthyInService();
    int minHealthy = minHealthy();
    int allowed = healthy - minHealthy;
    if (allowed <= 0) {
      refresh.surge = true;
      return;
    }
    Map<Zone, Integer> have = countByZone(active);
    oldInService.sort(
        Comparator.<Member>comparingInt(m -> -have.getOrDefault(m.zone(), 0))
            .thenComparing(m -> m.launchedAt));
    int batch = Math.min(allowed, oldInService.size());
    for (int k = 0; k < batch; k++) {
      Member m = oldInService.get(k);
      event(Kind.DRAINING, m, "rolling refresh replaces it");
      drain(m, now);
      refresh.replaced++;
    }
  }

  private int surge() {
    if (refresh == null || refresh.finishedAt != null || !refresh.surge) {
      return 0;
    }
    boolean oldServing =
        members.stream()
            .anyMatch(m -> m.generation < refresh.generation && m.state == Lifecycle.IN_SERVICE);
    return oldServing ? 1 : 0;
  }

  private void autoscale(Instant now) {
    if (tracking == null || now.isBefore(nextEvaluation)) {
      return;
    }
    nextEvaluation = now.plus(tracking.evaluationInterval());
    int inService = (int) members.stream().filter(m -> m.state == Lifecycle.IN_SERVICE).count();
    if (inService == 0) {
      return;
    }
    double value = metric.sample(now, inService);
    if (Double.isNaN(value)) {
      return;
    }
    int want = Math.max(min, Math.min(max, tracking.desiredFor(inService, value)));
    String why =
        tracking.metricName()
            + " is "
            + String.format(java.util.Locale.ROOT, "%.1f", value)
            + " against a target of "
            + String.format(java.util.Locale.ROOT, "%.1f", tracking.target());
    if (want > desired) {
      lowSince = null;
      lowWants.clear();
      resize(min, max, want, "target tracking scales out to " + want + ": " + why);
    } else if (want < desired) {
      if (lowSince == null) {
        lowSince = now;
      }
      lowWants.add(want);
      if (!now.isBefore(lowSince.plus(tracking.scaleInCooldown()))) {
        int to = lowWants.stream().mapToInt(Integer::intValue).max().orElse(want);
        lowSince = null;
        lowWants.clear();
        resize(min, max, to, "target tracking scales in to " + to + ": " + why);
      }
    } else {
      lowSince = null;
      lowWants.clear();
    }
  }

  private void applySchedule(Instant now) {
    while (!schedule.isEmpty() && !schedule.get(0).at().isAfter(now)) {
      ScheduledAction a = schedule.remove(0);
      int newMin = a.min().orElse(min);
      int newMax = a.max().orElse(max);
      if (a.min().isPresent() && newMax < newMin) {
        newMax = newMin;
      }
      if (a.max().isPresent() && newMin > newMax) {
        newMin = newMax;
      }
      int newDesired = Math.max(newMin, Math.min(newMax, a.desired().orElse(desired)));
      event(
          Kind.SCHEDULED_ACTION,
          null,
          "scheduled action "
              + a.name()
              + ": size "
              + newMin
              + ".."
              + newMax
              + ", desired "
              + newDesired);
      resize(newMin, newMax, newDesired, "scheduled action " + a.name());
    }
  }

  private void resize(int newMin, int newMax, int newDesired, String why) {
    boolean changed = newMin != min || newMax != max || newDesired != desired;
    min = newMin;
    max = newMax;
    int before = desired;
    desired = newDesired;
    if (changed) {
      event(Kind.SCALED, null, why + " (desired " + before + " → " + newDesired + ")");
    }
  }

  // ---- placement ----

  private List<Zone> availableZones(Instant now) {
    return config.zones().stream()
        .filter(z -> !impairedUntil.getOrDefault(z, Instant.MIN).isAfter(now))
        .toList();
  }

  private Zone pickZoneToGrow(List<Zone> available) {
    Map<Zone, Integer> wanted = placement(desired + surge(), available);
    Map<Zone, Integer> have = countByZone(active());
    Zone best = null;
    int bestGap = Integer.MIN_VALUE;
    int bestHave = Integer.MAX_VALUE;
    for (Zone z : available) {
      int gap = wanted.getOrDefault(z, 0) - have.getOrDefault(z, 0);
      int h = have.getOrDefault(z, 0);
      if (gap > bestGap || (gap == bestGap && h < bestHave)) {
        best = z;
        bestGap = gap;
        bestHave = h;
      }
    }
    return best;
  }

  /**
   * How many of {@code count} instances each available zone should hold: fixed per-region counts
   * first, the rest evenly over the other regions, then evenly over each region's zones; a region
   * with no available zone gives its share to the others.
   */
  Map<Zone, Integer> placement(int count, List<Zone> available) {
    Map<String, List<Zone>> byRegion = new LinkedHashMap<>();
    for (Zone z : available) {
      byRegion.computeIfAbsent(z.region(), r -> new ArrayList<>()).add(z);
    }
    Map<Zone, Integer> out = new LinkedHashMap<>();
    if (byRegion.isEmpty()) {
      return out;
    }
    Map<String, Integer> regionCounts = new LinkedHashMap<>();
    int fixed = 0;
    for (String r : byRegion.keySet()) {
      Integer n = config.perRegion().get(r);
      if (n != null) {
        int take = Math.min(n, Math.max(0, count - fixed));
        regionCounts.put(r, take);
        fixed += take;
      }
    }
    List<String> even =
        byRegion.keySet().stream().filter(r -> !config.perRegion().containsKey(r)).toList();
    if (even.isEmpty()) {
      even = List.copyOf(byRegion.keySet());
    }
    int rest = count - fixed;
    for (int k = 0; k < even.size(); k++) {
      regionCounts.merge(
          even.get(k), rest / even.size() + (k < rest % even.size() ? 1 : 0), Integer::sum);
    }
    for (var e : byRegion.entrySet()) {
      int n = regionCounts.getOrDefault(e.getKey(), 0);
      List<Zone> zones = e.getValue();
      for (int k = 0; k < zones.size(); k++) {
        out.put(zones.get(k), n / zones.size() + (k < n % zones.size() ? 1 : 0));
      }
    }
    return out;
  }

  private List<Member> active() {
    return members.stream()
        .filter(m -> m.state == Lifecycle.PENDING || m.state == Lifecycle.IN_SERVICE)
        .toList();
  }

  private static Map<Zone, Integer> countByZone(List<Member> list) {
    Map<Zone, Integer> have = new HashMap<>();
    for (Member m : list) {
      have.merge(m.zone(), 1, Integer::sum);
    }
    return have;
  }

  private int healthyInService() {
    return (int) members.stream().filter(m -> m.state == Lifecycle.IN_SERVICE && m.healthy).count();
  }

  private int minHealthy() {
    return (int) Math.ceil(desired * config.minHealthyPercent() / 100.0 - 1e-9);
  }

  private double healthyPercent() {
    return desired == 0 ? 100.0 : 100.0 * healthyInService() / desired;
  }

  private void event(Kind kind, Member m, String detail) {
    GroupEvent e =
        new GroupEvent(
            clock.instant(),
            config.name(),
            kind,
            m == null ? Optional.empty() : Optional.of(m.instance.id()),
            m == null ? Optional.empty() : Optional.of(m.zone()),
            detail);
    events.addLast(e);
    while (events.size() > MAX_EVENTS) {
      events.removeFirst();
    }
    for (Consumer<GroupEvent> l : listeners) {
      safely(() -> l.accept(e));
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      // Registration and listeners must not stop the group's loop.
    }
  }

  private static <T> java.util.stream.Collector<T, ?, List<T>> toMutable() {
    return java.util.stream.Collectors.toCollection(ArrayList::new);
  }

  private static final class Member {
    final Instance instance;
    final int generation;
    final Instant launchedAt;
    Lifecycle state = Lifecycle.PENDING;
    boolean healthy;
    int failures;
    Instant inServiceAt;
    Instant lastCheck;
    CompletableFuture<Boolean> probe;
    CompletableFuture<Void> drain;
    Instant drainStartedAt;

    Member(Instance instance, int generation, Instant launchedAt) {
      this.instance = instance;
      this.generation = generation;
      this.launchedAt = launchedAt;
    }

    Zone zone() {
      return instance.zone();
    }
  }

  private static final class Refresh {
    final int generation;
    final Instant startedAt;
    final int total;
    Instant finishedAt;
    int replaced;
    boolean surge;
    double minSeen = 100.0;

    Refresh(int generation, Instant startedAt, int total) {
      this.generation = generation;
      this.startedAt = startedAt;
      this.total = total;
    }

    RefreshStatus status() {
      return new RefreshStatus(
          generation, startedAt, Optional.ofNullable(finishedAt), replaced, total, minSeen);
    }
  }
}
