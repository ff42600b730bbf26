package io.bulwark.fleet;

import io.bulwark.fleet.GroupEvent.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 *
 * <p>This class owns the group's instances and brings their number to the desired count (plus a
 * refresh's surge), launching in the zone {@link ZonePlacement} picks; its parts each own one job
 * under the group's lock: {@link InstanceLifecycle} (each instance's state machine and
 * registration), {@link GroupSize}, {@link ScalingPolicies} (target tracking and scheduled
 * actions), {@link Rollout} (a rolling refresh) and {@link GroupEventLog}.
 */
public final class InstanceGroup implements AutoCloseable {

  private final GroupConfig config;
  private final Provider provider;
  private final Clock clock;
  private final GroupEventLog events;
  private final GroupSize size;
  private final ScalingPolicies scaling;
  private final InstanceLifecycle lifecycle;
  private final ZonePlacement zones;
  private final List<GroupMember> members = new ArrayList<>();
  private int generation = 1;
  private int nextId = 1;
  private Rollout refresh;
  private Instant launchBackoffUntil = Instant.MIN;
  private boolean closed;
  private Instant lastTick;
  private double instanceSeconds;

  private InstanceGroup(
      GroupConfig config, Provider provider, Registrar registrar, HealthProbe probe, Clock clock) {
    this.config = config;
    this.provider = provider;
    this.clock = clock;
    this.events = new GroupEventLog(config.name(), clock);
    this.size = new GroupSize(config.min(), config.max(), config.desired(), events);
    this.scaling = new ScalingPolicies(size, events);
    this.lifecycle = new InstanceLifecycle(config, registrar, probe, events);
    this.zones = new ZonePlacement(config);
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
    GroupConfig.checkSize(size.min(), size.max(), desired);
    size.resize(size.min(), size.max(), desired, "desired set to " + desired);
  }

  /**
   * Sets min, max and desired together.
   *
   * @throws IllegalArgumentException when they do not satisfy min <= desired <= max
   */
  public synchronized void setSize(int min, int max, int desired) {
    GroupConfig.checkSize(min, max, desired);
    size.resize(min, max, desired, "size set to " + min + ".." + max + ", desired " + desired);
  }

  /**
   * Follows {@code policy} on {@code metric} from the next tick on, next to the policies on other
   * metrics it follows: the group takes the largest size any of them asks for.
   */
  public synchronized void track(TargetTracking policy, Metric metric) {
    scaling.track(
        Objects.requireNonNull(policy, "policy"), Objects.requireNonNull(metric, "metric"));
  }

  /** Adds a scheduled action; it applies on the first tick at or after its time. */
  public synchronized void schedule(ScheduledAction action) {
    scaling.schedule(Objects.requireNonNull(action, "action"));
  }

  /**
   * Starts a rolling refresh replacing every instance with a new generation, or returns the one in
   * progress.
   */
  public synchronized RefreshStatus startRefresh() {
    if (refresh != null && refresh.running()) {
      return refresh.status();
    }
    generation++;
    int total = (int) members.stream().filter(m -> m.state != Lifecycle.TERMINATING).count();
    refresh =
        new Rollout(
            config, lifecycle, events, generation, clock.instant(), total, healthyPercent());
    events.add(
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
    for (GroupMember m : members) {
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
        config.name(),
        size.min(),
        size.max(),
        size.desired(),
        list,
        Optional.ofNullable(refresh).map(Rollout::status));
  }

  /** The live instance with this id, if the group still has it. */
  public synchronized Optional<Instance> instance(String id) {
    return members.stream().map(m -> m.instance).filter(i -> i.id().equals(id)).findFirst();
  }

  /** The most recent events, oldest first. */
  public synchronized List<GroupEvent> events() {
    return events.recent();
  }

  /**
   * Instance-seconds used so far: for each tick, the instances launched and not yet gone times the
   * time since the previous tick. What the group cost, to compare with provisioning its peak.
   */
  public synchronized double instanceSeconds() {
    return instanceSeconds;
  }

  /** Calls {@code listener} for every later event (on the ticking thread). */
  public void onEvent(Consumer<GroupEvent> listener) {
    events.listen(Objects.requireNonNull(listener, "listener"));
  }

  /** Does one round of the group's work: see the class comment. */
  public synchronized void tick() {
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    if (lastTick != null && now.isAfter(lastTick)) {
      // every instance launched and not yet gone costs, whether in service or not
      instanceSeconds += members.size() * (Duration.between(lastTick, now).toNanos() / 1e9);
    }
    lastTick = now;
    lifecycle.forgetStopped();
    scaling.applySchedule(now);
    scaling.autoscale(
        now, () -> (int) members.stream().filter(m -> m.state == Lifecycle.IN_SERVICE).count());
    for (GroupMember m : List.copyOf(members)) {
      lifecycle.step(m, now);
    }
    members.removeIf(m -> m.state == Lifecycle.TERMINATING);
    if (refresh != null) {
      refresh.roll(now, members, active(), size.desired());
    }
    reconcile(now);
    if (refresh != null && refresh.running()) {
      refresh.observe(healthyPercent());
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
      waits = lifecycle.stopAll(members);
      members.clear();
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

  // ---- the number of instances ----

  private void reconcile(Instant now) {
    List<GroupMember> active = active();
    int target = size.desired() + surge();
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
      List<Zone> available = zones.available(now);
      if (available.isEmpty()) {
        launchBackoffUntil = now.plusSeconds(1);
        return false;
      }
      Zone zone = zones.toGrow(size.desired() + surge(), available, active());
      String id = config.name() + "-" + nextId++;
      try {
        Instance instance = provider.launch(new LaunchSpec(id, config.name(), zone, generation));
        GroupMember m = new GroupMember(instance, generation, now);
        members.add(m);
        events.add(Kind.LAUNCHED, m, "launched in " + zone + " (generation " + generation + ")");
        return true;
      } catch (ZoneUnavailableException e) {
        zones.impair(zone, now.plus(config.zoneRetryAfter()));
        events.add(Kind.ZONE_IMPAIRED, null, e.getMessage() + "; placing instances in other zones");
      } catch (RuntimeException e) {
        launchBackoffUntil = now.plusSeconds(1);
        events.add(Kind.LAUNCH_FAILED, null, "launch of " + id + " in " + zone + " failed: " + e);
        return false;
      }
    }
    return false;
  }

  private void scaleInOne(Instant now) {
    GroupMember victim = zones.toShrink(size.desired() + surge(), now, active());
    if (victim.state == Lifecycle.PENDING) {
      events.add(Kind.SCALED, victim, "removed while still pending (scale in)");
      lifecycle.terminate(victim, now, "scale in");
    } else {
      events.add(Kind.SCALED, victim, "scale in: draining before it stops");
      lifecycle.drain(victim, now);
    }
  }

  private int surge() {
    return refresh == null ? 0 : refresh.surge(members);
  }

  /** See {@link ZonePlacement#placement}. */
  Map<Zone, Integer> placement(int count, List<Zone> available) {
    return zones.placement(count, available);
  }

  private List<GroupMember> active() {
    return members.stream().filter(GroupMember::active).toList();
  }

  private double healthyPercent() {
    int desired = size.desired();
    return desired == 0 ? 100.0 : 100.0 * GroupMember.healthyInService(members) / desired;
  }
}
