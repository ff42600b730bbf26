package io.bulwark.recovery;

import io.bulwark.dr.TopologyClusters;
import io.bulwark.topology.Service;
import io.bulwark.topology.Topology;
import io.bulwark.topology.runbook.Runbook;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The failback of a running topology after a DR activation: its steps back from the DR region
 * ({@code from}) to the topology's original primary region ({@code to}), which {@code bulwark dr
 * failback} prints and {@link Failback} carries out.
 *
 * @param activation the runbook the activation carried out (from the original region to the DR one)
 * @param from the region that is primary now (the activation's DR region)
 * @param to the original primary region, that the failback returns to
 * @param member the database member returned to primary, when the topology has a database
 * @param steps the steps in order
 */
public record FailbackPlan(
    Runbook activation,
    String from,
    String to,
    Optional<String> member,
    List<FailbackPlan.Step> steps) {

  /** Step names, in order. */
  public static final List<String> STEP_NAMES =
      List.of(
          "check-region",
          "reseed-database",
          "restore-compute",
          "switchover-database",
          "switch-traffic",
          "scale-down-dr",
          "update-monitoring",
          "verify");

  /**
   * One step.
   *
   * @param number 1-based position
   * @param name its short name, e.g. {@code switchover-database}
   * @param action what it does
   * @param expected how long it should take
   * @param successCheck what holds once it is done
   */
  public record Step(
      int number, String name, String action, Duration expected, String successCheck) {

    public Step {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(expected, "expected");
      Objects.requireNonNull(successCheck, "successCheck");
    }

    /** The state of the failback machine that runs it, e.g. {@code 4 switchover-database}. */
    public String stateName() {
      return number + " " + name;
    }
  }

  public FailbackPlan {
    Objects.requireNonNull(activation, "activation");
    steps = List.copyOf(steps);
  }

  /**
   * The failback of {@code running}: the reverse of its runbook ({@link
   * DisasterRecoveryManager#runbook}).
   *
   * @throws RecoveryException.NotPossible as {@link DisasterRecoveryManager#runbook}
   */
  public static FailbackPlan of(RunningTopology running, Clock clock) {
    Runbook runbook = DisasterRecoveryManager.runbook(running, clock);
    Topology t = running.topology();
    String from = runbook.toRegion();
    String to = runbook.fromRegion();
    Optional<String> member = t.database().map(db -> TopologyClusters.PRIMARY);
    Map<String, Integer> compute = compute(t, to);
    Map<String, Integer> weights = new LinkedHashMap<>();
    t.traffic().ifPresent(tr -> tr.pools().forEach(p -> weights.put(p.name(), p.weight())));
    List<Step> steps = new ArrayList<>();
    steps.add(
        step(
            steps,
            "Check that "
                + to
                + " runs instances again: launch one of each service there"
                + " (desired counts raised so that "
                + to
                + " gets "
                + compute
                + ")",
            Duration.ofMinutes(2),
            "a healthy instance in service per service in " + to));
    steps.add(
        step(
            steps,
            member
                .map(
                    m ->
                        "Re-seed database member "
                            + m
                            + " in "
                            + to
                            + " as a streaming standby of the primary in "
                            + from
                            + " (a fresh clone; started if it does not run)")
                .orElse("No database to re-seed"),
            Duration.ofMinutes(5),
            member
                .map(m -> m + " streams on the primary's timeline with 0 bytes of lag")
                .orElse("-")));
    steps.add(
        step(
            steps,
            "Restore " + to + "'s compute: " + compute,
            Duration.ofMinutes(5),
            "the topology's instances healthy in service in " + to));
    steps.add(
        step(
            steps,
            member
                .map(
                    m -> "Switch the database over to " + m + " in " + to + " (planned, zero loss)")
                .orElse("No database to switch over"),
            Duration.ofMinutes(1),
            member.map(m -> m + " is the primary and commits a write").orElse("-")));
    steps.add(
        step(
            steps,
            "Switch traffic back to the topology's weights " + weights,
            Duration.ofMinutes(2),
            "the gateway reports those weights, a healthy target behind each weighted pool"));
    steps.add(
        step(
            steps,
            "Return every group to the topology's desired count (" + from + " back to its size)",
            Duration.ofMinutes(2),
            "no more instances in service in " + from + " than the topology runs there"));
    steps.add(
        step(
            steps,
            "Record primary-region-restored (" + to + " primary, " + from + " no longer)",
            Duration.ofSeconds(5),
            "the event is in the monitoring log"));
    steps.add(
        step(
            steps,
            "Verify "
                + to
                + " serves: requests answered from "
                + to
                + ", its database primary"
                + " commits, the DR replica streams again",
            Duration.ofMinutes(2),
            "3 requests in a row answered 2xx from " + to));
    return new FailbackPlan(runbook, from, to, member, steps);
  }

  /** The instances per service the topology runs in {@code region}. */
  public static Map<String, Integer> compute(Topology t, String region) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Service s : t.services().stream().filter(Service::runsHere).toList()) {
      out.put(s.name(), t.running(s, region));
    }
    return out;
  }

  private static Step step(List<Step> before, String action, Duration expected, String check) {
    int n = before.size() + 1;
    return new Step(n, STEP_NAMES.get(n - 1), action, expected, check);
  }

  /** Sum of the steps' expected durations. */
  public Duration expectedDuration() {
    return steps.stream().map(Step::expected).reduce(Duration.ZERO, Duration::plus);
  }
}
