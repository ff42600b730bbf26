package io.bulwark.recovery.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.dr.ClusterStatus;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.kernel.Json;
import io.bulwark.recovery.FailbackMachine;
import io.bulwark.recovery.FailbackPlan;
import io.bulwark.states.StatesError;
import io.bulwark.states.durable.DurableTaskHandler;
import io.bulwark.topology.Topology;
import io.bulwark.topology.runbook.Runbook;
import io.bulwark.topology.runbook.RunbookAsl;
import io.bulwark.topology.runbook.RunbookStep;
import io.bulwark.topology.runbook.StepKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task handler of the failback machine ({@link FailbackMachine}): carries out each step of a
 * {@link FailbackPlan} against the running topology, reusing the activation's executors where a
 * step is an activation step in reverse (the topology's weights and desired counts, the monitoring
 * event, the site check, with the regions swapped). Each step checks its effect before acting, as a
 * resumed failback delivers the step in flight again.
 */
public final class FailbackTasks {
  private static final Logger LOG = LoggerFactory.getLogger(FailbackTasks.class);
  private static final long PROBE_INTERVAL_SECONDS = 3;

  private final FailbackPlan plan;
  private final Site site;
  private final Topology topology;
  private final Clock clock;

  /** The activation's context: from the original region to the DR region. */
  private final StepContext activation;

  /** The same with the regions swapped: from the DR region back to the original one. */
  private final StepContext back;

  /**
   * A handler acting on {@code site} for {@code plan} of {@code topology}; monitoring events go to
   * {@code monitoringLog}; no step waits longer than {@code maxStepWait} for its condition.
   */
  public FailbackTasks(
      Site site,
      Topology topology,
      FailbackPlan plan,
      Clock clock,
      Path monitoringLog,
      Duration maxStepWait) {
    this.plan = plan;
    this.site = site;
    this.topology = topology;
    this.clock = clock;
    Runbook r = plan.activation();
    this.activation = new StepContext(site, topology, r, clock, monitoringLog, maxStepWait);
    Runbook reversed =
        new Runbook(
            r.title(),
            r.generatedAt(),
            r.topologyFile(),
            r.strategy(),
            r.toRegion(),
            r.fromRegion(),
            r.steps(),
            r.contacts());
    this.back = new StepContext(site, topology, reversed, clock, monitoringLog, maxStepWait);
  }

  /** The handler of {@value FailbackMachine#STEP}. */
  public DurableTaskHandler execute() {
    return r -> {
      FailbackPlan.Step step = step(r.input());
      Instant started = clock.instant();
      LOG.info("failback step {} started: {}", step.stateName(), step.action());
      String detail;
      try {
        detail = run(step);
      } catch (StatesError e) {
        LOG.warn("failback step {} failed: {}", step.stateName(), e.getMessage());
        throw e;
      } catch (RuntimeException e) {
        // RecoveryException (a part does not answer), and the database cluster's own refusals
        // (DbException)
        LOG.warn("failback step {} failed: {}", step.stateName(), e.getMessage());
        throw new StatesError(RunbookAsl.STEP_FAILED, e.getMessage(), e);
      }
      ObjectNode out = Json.object();
      out.put("step", step.number());
      out.put("name", step.name());
      out.put("status", "DONE");
      out.put("detail", detail);
      out.put("seconds", Duration.between(started, clock.instant()).toMillis() / 1000.0);
      LOG.info("failback step {} done: {}", step.stateName(), detail);
      return out;
    };
  }

  private String run(FailbackPlan.Step step) {
    Duration budget = back.budget(step.expected());
    return switch (step.name()) {
      case "check-region" -> checkRegion(budget);
      case "reseed-database" -> reseed(budget);
      case "restore-compute" -> restoreCompute(budget);
      case "switchover-database" -> switchover(budget);
      case "switch-traffic" ->
          new SwitchTraffic(back).setAndAwait(SwitchTraffic.topologyWeights(topology), budget);
      case "scale-down-dr" -> scaleDown(budget);
      case "update-monitoring" -> new UpdateMonitoring(activation).rollBack(activationStep());
      case "verify" -> verify();
      default -> throw new StatesError("Failback.UnknownStep", "no failback step " + step.name());
    };
  }

  // ---- compute ----

  /**
   * Launches one instance per service as a probe: while the original region's zones are still
   * skipped by the fleet (they refused launches during the loss; the fleet retries a zone only
   * after a while), the probe lands in another region; it is removed again (the group's scale-in
   * takes its newest instance) and tried again every few seconds, until one runs there.
   */
  private String checkRegion(Duration budget) {
    Map<String, Integer> need = FailbackPlan.compute(topology, plan.to());
    Map<String, Integer> base = new HashMap<>();
    for (JsonNode g : site.groups()) {
      base.put(g.path("name").asText(), active(g, false));
    }
    Instant[] nextProbe = {Instant.MIN};
    int[] retracted = {0};
    String[] seen = {""};
    Polling.until(
        clock,
        budget,
        "a healthy instance per service in " + plan.to(),
        () -> {
          Map<String, Integer> healthy = site.healthyInRegion(plan.to());
          seen[0] = healthy.toString();
          Map<String, Integer> desired = site.desired();
          for (JsonNode g : site.groups()) {
            String name = g.path("name").asText();
            if (need.getOrDefault(name, 0) == 0 || healthy.getOrDefault(name, 0) > 0) {
              continue;
            }
            int elsewhere = active(g, false);
            int b = base.getOrDefault(name, elsewhere);
            if (active(g, true) > 0) {
              return Optional.of(name + " is starting an instance in " + plan.to());
            }
            if (elsewhere > b) {
              // the probe went to another region: the original one still takes no launches
              site.setDesired(name, b);
              retracted[0]++;
              nextProbe[0] = clock.instant().plusSeconds(PROBE_INTERVAL_SECONDS);
              return Optional.of(
                  name
                      + "'s probe was placed outside "
                      + plan.to()
                      + " (its zones take no launches yet)");
            }
            if (desired.getOrDefault(name, 0) <= b && !clock.instant().isBefore(nextProbe[0])) {
              site.setDesired(name, roomFor(name, b + 1));
            }
            return Optional.of(name + " has no instance in " + plan.to() + " yet");
          }
          return Optional.empty();
        });
    return plan.to()
        + " runs instances again: healthy in service "
        + seen[0]
        + (retracted[0] == 0 ? "" : " (" + retracted[0] + " probe(s) placed elsewhere first)");
  }

  /** Instances of {@code group} launching or in service, in the original region or outside it. */
  private int active(JsonNode group, boolean inOriginal) {
    int n = 0;
    for (JsonNode i : group.path("instances")) {
      String state = i.path("state").asText();
      boolean there = i.path("zone").path("region").asText().equals(plan.to());
      if (there == inOriginal && (state.equals("PENDING") || state.equals("IN_SERVICE"))) {
        n++;
      }
    }
    return n;
  }

  private String restoreCompute(Duration budget) {
    String raised = raiseForOriginalRegion();
    Map<String, Integer> want = FailbackPlan.compute(topology, plan.to());
    String[] seen = {""};
    Polling.until(
        clock,
        budget,
        "the topology's instances " + want + " in " + plan.to(),
        () -> {
          Map<String, Integer> healthy = site.healthyInRegion(plan.to());
          seen[0] = healthy.toString();
          for (var e : want.entrySet()) {
            int have = healthy.getOrDefault(e.getKey(), 0);
            if (have < e.getValue()) {
              return Optional.of(
                  e.getKey() + " has " + have + " of " + e.getValue() + " healthy in " + plan.to());
            }
          }
          return Optional.empty();
        });
    return raised + "healthy in service in " + plan.to() + ": " + seen[0];
  }

  /**
   * Raises each group's desired count so that, beside the instances it runs outside the original
   * region, that region gets the topology's count (the fleet places a group's new instances where
   * the topology's placement wants them); returns what it changed.
   */
  private String raiseForOriginalRegion() {
    Map<String, Integer> need = FailbackPlan.compute(topology, plan.to());
    Map<String, Integer> desired = site.desired();
    List<String> done = new ArrayList<>();
    for (JsonNode g : site.groups()) {
      String name = g.path("name").asText();
      int n = need.getOrDefault(name, 0);
      if (n == 0) {
        continue;
      }
      int elsewhere = active(g, false);
      int now = desired.getOrDefault(name, 0);
      int want = roomFor(name, elsewhere + n);
      if (want > now) {
        site.setDesired(name, want);
        done.add(name + " desired " + now + " -> " + want);
      }
    }
    return done.isEmpty() ? "" : String.join(", ", done) + "; ";
  }

  /**
   * {@code want} instances of service {@code name}, when its maximum allows them.
   *
   * @throws StatesError of type {@code Runbook.StepFailed} naming the maximum otherwise: the
   *     original region's instances cannot start beside the DR region's
   */
  private int roomFor(String name, int want) {
    int max = topology.service(name).map(s -> s.instances().max()).orElse(want);
    if (want > max) {
      throw new StatesError(
          RunbookAsl.STEP_FAILED,
          name
              + " would need "
              + want
              + " instances to run "
              + plan.to()
              + "'s beside those still serving in "
              + plan.from()
              + ", above its maximum "
              + max
              + "; raise instances.max in the topology");
    }
    return want;
  }

  private String scaleDown(Duration budget) {
    String set = new ScaleRegion(activation, false).rollBack(activationStep());
    Map<String, Integer> there = FailbackPlan.compute(topology, plan.from());
    Map<String, Integer> home = FailbackPlan.compute(topology, plan.to());
    String[] seen = {""};
    Polling.until(
        clock,
        budget,
        plan.from() + " back to " + there + " with " + home + " in " + plan.to(),
        () -> {
          Map<String, Integer> inFrom = site.healthyInRegion(plan.from());
          Map<String, Integer> inTo = site.healthyInRegion(plan.to());
          seen[0] = plan.from() + " " + inFrom + ", " + plan.to() + " " + inTo;
          for (var e : there.entrySet()) {
            if (inFrom.getOrDefault(e.getKey(), 0) > e.getValue()) {
              return Optional.of(
                  e.getKey() + " still has " + inFrom.get(e.getKey()) + " in " + plan.from());
            }
            if (inTo.getOrDefault(e.getKey(), 0) < home.getOrDefault(e.getKey(), 0)) {
              return Optional.of(
                  e.getKey() + " has " + inTo.get(e.getKey()) + " healthy in " + plan.to());
            }
          }
          return Optional.empty();
        });
    return set + "; healthy in service: " + seen[0];
  }

  // ---- database ----

  private String reseed(Duration budget) {
    if (site.database().isEmpty()) {
      return "the topology's database does not run: nothing to re-seed";
    }
    DatabaseCluster cluster = site.database().get();
    ClusterStatus before = site.databaseStatus();
    String leader =
        before
            .leader()
            .orElseThrow(
                () ->
                    new StatesError(
                        RunbookAsl.STEP_FAILED, "the database has no primary to re-seed from"));
    List<String> done = new ArrayList<>();
    List<String> members = membersIn(before, plan.to());
    if (members.isEmpty()) {
      return "no database member in " + plan.to();
    }
    if (members.contains(leader)) {
      return leader + " in " + plan.to() + " is the primary already";
    }
    for (String m : members) {
      if (cluster.agentProcess(m).isEmpty()) {
        // a returning member rejoins as a standby of the current primary with a fresh clone
        cluster.startMember(m);
        done.add("started " + m + " (it did not run)");
      }
    }
    long maxLag = cluster.spec().policy().maxLagBytes();
    Instant[] streamingSince = {null};
    String[] seen = {""};
    Polling.until(
        clock,
        budget,
        String.join(", ", members) + " streaming from the primary with no lag",
        () -> {
          ClusterStatus s = site.databaseStatus();
          Optional<ClusterStatus.Member> primary = s.leader().flatMap(s::member);
          if (primary.isEmpty()) {
            return Optional.of("the database has no primary");
          }
          boolean allZero = true;
          for (String name : members) {
            ClusterStatus.Member m = s.member(name).orElseThrow();
            if (!m.streaming()) {
              streamingSince[0] = null;
              return Optional.of(name + " is " + m.agentState() + ", not streaming yet");
            }
            if (!m.timeline().equals(primary.get().timeline())) {
              streamingSince[0] = null;
              return Optional.of(
                  name
                      + " is on timeline "
                      + m.timeline()
                      + ", the primary on "
                      + primary.get().timeline());
            }
            long lag = m.lagBytes().orElse(Long.MAX_VALUE);
            seen[0] = name + " streams from " + primary.get().name() + ", " + lag + " bytes behind";
            if (lag > maxLag) {
              streamingSince[0] = null;
              return Optional.of(name + " is " + lag + " bytes behind");
            }
            allZero &= lag == 0;
          }
          if (allZero) {
            return Optional.empty();
          }
          // under steady writes the reported lag is rarely exactly 0; within the cluster's
          // switchover limit for 10 s is caught up (the switchover itself loses nothing)
          if (streamingSince[0] == null) {
            streamingSince[0] = clock.instant();
          }
          return Duration.between(streamingSince[0], clock.instant()).toSeconds() >= 10
              ? Optional.empty()
              : Optional.of(seen[0]);
        });
    return (done.isEmpty() ? "" : String.join(", ", done) + "; ") + seen[0];
  }

  private String switchover(Duration budget) {
    if (site.database().isEmpty() || plan.member().isEmpty()) {
      return "the topology's database does not run: nothing to switch over";
    }
    String member = plan.member().get();
    DatabaseCluster cluster = site.database().get();
    ClusterStatus s = site.databaseStatus();
    String how;
    if (s.leader().map(member::equals).orElse(false)) {
      how = member + " was already the primary";
    } else {
      String from = s.leader().orElse("nobody");
      cluster.switchover(member, false);
      how = "switched over from " + from + " to " + member;
    }
    Polling.until(
        clock,
        budget,
        member + " is the primary and commits a write",
        () -> {
          ClusterStatus now = site.databaseStatus();
          if (!now.leader().map(member::equals).orElse(false)) {
            return Optional.of("the leader is " + now.leader().orElse("nobody"));
          }
          return Site.commitsAWrite(now.member(member).orElseThrow().port())
              ? Optional.empty()
              : Optional.of(member + " does not commit a write yet");
        });
    return how + "; " + member + " in " + plan.to() + " takes writes";
  }

  private String verify() {
    String served = new VerifySite(back).execute(verifyStep());
    if (site.database().isEmpty()) {
      return served;
    }
    List<String> replicas = membersIn(site.databaseStatus(), plan.from());
    Polling.until(
        clock,
        back.budget(verifyStep()),
        "the members in " + plan.from() + " stream from the primary again",
        () -> {
          ClusterStatus s = site.databaseStatus();
          for (String name : replicas) {
            ClusterStatus.Member m = s.member(name).orElseThrow();
            if (!m.streaming()) {
              return Optional.of(name + " is " + m.agentState() + ", not streaming yet");
            }
          }
          return Optional.empty();
        });
    return served
        + (replicas.isEmpty()
            ? ""
            : "; " + String.join(", ", replicas) + " in " + plan.from() + " streams again");
  }

  private static List<String> membersIn(ClusterStatus s, String region) {
    return s.members().stream()
        .filter(m -> m.region().equals(region))
        .map(ClusterStatus.Member::name)
        .toList();
  }

  private RunbookStep activationStep() {
    return plan.activation().steps().get(0);
  }

  private RunbookStep verifyStep() {
    return plan.activation().steps().stream()
        .filter(s -> s.kind() == StepKind.VERIFY)
        .findFirst()
        .orElse(activationStep());
  }

  private FailbackPlan.Step step(JsonNode input) {
    int n = input.path("step").asInt(0);
    if (n < 1 || n > plan.steps().size()) {
      throw new StatesError(
          "Failback.UnknownStep",
          "the failback has steps 1.." + plan.steps().size() + ", got " + input.path("step"));
    }
    return plan.steps().get(n - 1);
  }
}
