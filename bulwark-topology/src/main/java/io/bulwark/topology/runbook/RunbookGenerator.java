package io.bulwark.topology.runbook;

import io.bulwark.kernel.Durations;
import io.bulwark.topology.Database;
import io.bulwark.topology.DisasterRecovery;
import io.bulwark.topology.DrStrategy;
import io.bulwark.topology.Profile;
import io.bulwark.topology.Region;
import io.bulwark.topology.Service;
import io.bulwark.topology.Topology;
import io.bulwark.topology.Traffic;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the DR runbook of a topology, following the seed's {@code DisasterRecoveryManager}:
 * detect, fence, promote the replica (or restore a backup), start standby instances, scale to
 * production capacity, switch traffic (DR 100 / primary 0), update monitoring, verify.
 */
final class RunbookGenerator {

  private RunbookGenerator() {}

  /**
   * The runbook for {@code t}; commands name {@code topologyFile}.
   *
   * @throws IllegalArgumentException when the topology has no {@code dr} section
   */
  static Runbook generate(Topology t, String topologyFile, Clock clock) {
    DisasterRecovery dr =
        t.dr()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        topologyFile
                            + ": no dr section, so there is no DR plan to write; add one"
                            + " (bulwark dr plan "
                            + topologyFile
                            + " suggests a strategy)"));
    Profile p = t.profile();
    String home = t.homeRegion().name();
    String target =
        t.drRegion()
            .map(Region::name)
            .or(() -> t.database().flatMap(db -> db.backups()).flatMap(b -> b.copyToRegion()))
            .orElse(home);
    String f = quote(topologyFile);
    List<RunbookStep> steps = new ArrayList<>();

    Duration detect = t.detectionTime();
    String probe = t.traffic().map(tr -> tr.monitor().path()).orElse("/health");
    add(
        steps,
        StepKind.DETECT,
        "Verify primary failure in " + home,
        "Confirm that every target in "
            + home
            + " fails its health check "
            + probe
            + " (the gateway's GET /admin/health, or your monitoring)",
        detect,
        "no healthy targets in " + home + " on " + probe + " for " + Durations.human(detect),
        "N/A – detection changes nothing");

    Optional<Database> db = t.database();
    if (db.isPresent()) {
      add(
          steps,
          StepKind.FENCE,
          "Fence the old primary of " + db.get().name() + " in " + home,
          "Stop the old primary of "
              + db.get().name()
              + " in "
              + home
              + ", or make it refuse writes: ALTER SYSTEM SET default_transaction_read_only = on;"
              + " SELECT pg_reload_conf();",
          p.fenceTime(),
          "the old primary in " + home + " refuses writes (stopped or read-only)",
          "start it again, or ALTER SYSTEM RESET default_transaction_read_only; SELECT"
              + " pg_reload_conf();");
      Optional<Database.Replica> replica =
          db.get().replicas().stream()
              .filter(r -> r.location().region().equals(target) && !target.equals(home))
              .findFirst();
      if (dr.strategy() != DrStrategy.BACKUP_RESTORE && replica.isPresent()) {
        String name = replica.get().name();
        add(
            steps,
            StepKind.PROMOTE_REPLICA,
            "Promote database replica " + name + " in " + target,
            "Promote " + name + ": SELECT pg_promote(); on it",
            p.promoteTime(),
            name + " accepts writes: pg_is_in_recovery() returns false",
            "not reversible in place; fail back to "
                + home
                + " with bulwark dr failback --approve (re-clones its old primary as a standby of "
                + name
                + ", then a planned, zero-loss switchover back)");
      } else {
        add(
            steps,
            StepKind.RESTORE_BACKUP,
            "Restore " + db.get().name() + " in " + target + " from the latest backup",
            "Restore the newest base backup and the archived WAL into a new server in "
                + target
                + " (for a cluster Bulwark runs: bulwark db restore)",
            p.restoreTime(),
            db.get().backups().map(b -> b.pitr()).orElse(false)
                ? "the restored database in "
                    + target
                    + " reached the latest archived WAL and"
                    + " accepts writes"
                : "the restored database in "
                    + target
                    + " holds the last backup and accepts writes",
            "discard the restored copy; the backups themselves are unchanged");
      }
    }

    List<Service> runs = t.services().stream().filter(Service::runsHere).toList();
    if (dr.strategy() == DrStrategy.PILOT_LIGHT || dr.strategy() == DrStrategy.BACKUP_RESTORE) {
      Duration grace =
          runs.stream()
              .map(s -> s.rollout().gracePeriod())
              .max(Duration::compareTo)
              .orElse(p.gracePeriod());
      boolean pilot = dr.strategy() == DrStrategy.PILOT_LIGHT;
      add(
          steps,
          StepKind.START_STANDBY,
          (pilot ? "Start stopped standby instances in " : "Provision instances in ") + target,
          "Start the stopped standby instances in "
              + target
              + " (your provider's console or infrastructure code)",
          grace,
          "every started instance in "
              + target
              + " passes its health check within the "
              + Durations.human(grace)
              + " grace period",
          "stop the standby instances in " + target + " again");
    }

    Map<String, Integer> production = productionCapacity(t, home, target, dr.strategy());
    Map<String, Integer> standing = new LinkedHashMap<>();
    for (Service s : runs) {
      standing.put(s.name(), target.equals(home) ? 0 : t.running(s, target));
    }
    Duration warm =
        runs.stream().map(s -> s.rollout().warmUp()).max(Duration::compareTo).orElse(p.warmUp());
    add(
        steps,
        StepKind.SCALE_TO_PRODUCTION,
        "Scale " + target + " to production capacity",
        "Scale " + target + " to" + serviceArgs(production) + " instances",
        warm,
        String.join(
                ", ",
                production.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue() + "/" + e.getValue())
                    .toList())
            + " instances healthy in "
            + target,
        "scale " + target + " back to" + serviceArgs(standing) + " instances");

    boolean shared = dr.strategy() == DrStrategy.ACTIVE_ACTIVE;
    String switchCommand;
    String switchBack;
    Optional<Traffic> traffic = t.traffic();
    if (traffic.isPresent()) {
      StringBuilder to = new StringBuilder();
      StringBuilder back = new StringBuilder();
      newWeights(traffic.get(), home, target, shared)
          .forEach((pool, w) -> to.append(" ").append(pool).append('=').append(w));
      for (Traffic.Pool pool : traffic.get().pools()) {
        back.append(" ").append(pool.name()).append('=').append(pool.weight());
      }
      if (traffic.get().pools().stream().noneMatch(pl -> pl.region().equals(target))) {
        to.append(" and a new pool ").append(target).append("=100");
      }
      switchCommand =
          "Set the pool weights"
              + to
              + " (the gateway's admin API: PUT /admin/pools/{pool}/weight, or your global load"
              + " balancer)";
      switchBack = "set the pool weights back to" + back;
    } else {
      switchCommand = "Send all traffic to " + target + " (DNS or your global load balancer)";
      switchBack = "send the traffic back to " + home;
    }
    Traffic.Monitor monitor =
        traffic
            .map(Traffic::monitor)
            .orElse(
                new Traffic.Monitor("/health", p.healthInterval(), p.healthTimeout(), 3, "200"));
    add(
        steps,
        StepKind.SWITCH_TRAFFIC,
        shared
            ? "Move the traffic share of " + home + " to " + target + " (" + home + " weight 0)"
            : "Switch traffic to " + target + " (weight 100, " + home + " 0)",
        switchCommand,
        p.trafficSwitchTime(),
        (shared
                ? "no requests reach "
                    + home
                    + "; "
                    + target
                    + " serves its share and "
                    + home
                    + "'s"
                : "all requests reach " + target)
            + "; its health check "
            + monitor.path()
            + " passes (interval "
            + Durations.format(monitor.interval())
            + ", failure threshold "
            + monitor.retries()
            + ")",
        switchBack);

    add(
        steps,
        StepKind.UPDATE_MONITORING,
        "Update monitoring to treat " + target + " as primary",
        "Point alerts and dashboards at " + target + " as the primary region; silence " + home,
        p.trafficSwitchTime(),
        "alerts and dashboards follow " + target + "; alerts for " + home + " are silenced",
        "point them back at " + home);

    add(
        steps,
        StepKind.VERIFY,
        "Verify the DR site in " + target,
        "Check that every service in "
            + target
            + " answers /health/ready with 200 and that a test order commits",
        p.verifyTime(),
        "every service in " + target + " answers /health/ready with 200 and a test order commits",
        "investigate the specific failures; escalate to "
            + t.contacts().escalation().orElse("the escalation contact"));

    addExternalDependencies(steps, t, home, target);
    addCommunication(steps, t, home, target);

    return new Runbook(
        "Disaster Recovery Runbook – " + t.name(),
        clock.instant(),
        topologyFile,
        dr.strategy(),
        home,
        target,
        steps,
        t.contacts());
  }

  /**
   * The seed's manual "Update External Dependencies" step: the CDN origin, the third-party
   * integrations (the topology's external services and its vendors' support channels) and the
   * dashboards.
   */
  private static void addExternalDependencies(
      List<RunbookStep> steps, Topology t, String home, String target) {
    List<String> manual = new ArrayList<>();
    manual.add("Update the CDN origin from " + home + " to the DR site in " + target);
    List<String> externals =
        t.services().stream().filter(s -> !s.runsHere()).map(Service::name).toList();
    manual.add(
        "Notify third-party integrations"
            + (externals.isEmpty() ? "" : " (" + String.join(", ", externals) + ")")
            + " that requests now come from "
            + target);
    t.contacts()
        .vendorSupport()
        .forEach(
            (vendor, channel) ->
                manual.add(
                    "Tell " + vendor + " through " + channel + " that " + target + " serves"));
    manual.add("Update monitoring dashboards to show " + target + " as the primary site");
    steps.add(
        new RunbookStep(
            steps.size() + 1,
            StepKind.UPDATE_EXTERNAL_DEPENDENCIES,
            "Update external dependencies",
            "",
            t.profile().externalUpdateTime(),
            "the CDN, the integrations and the dashboards all point at " + target,
            "point the CDN origin and the integrations back at " + home + " after failback",
            manual));
  }

  /**
   * The seed's manual, ongoing "Communication" step: stakeholders (the topology's contacts), the
   * status page and the timeline for the post-incident review.
   */
  private static void addCommunication(
      List<RunbookStep> steps, Topology t, String home, String target) {
    List<String> people = new ArrayList<>();
    t.contacts().primary().ifPresent(p -> people.add(p + " (primary)"));
    t.contacts().escalation().ifPresent(e -> people.add(e + " (escalation)"));
    List<String> manual =
        List.of(
            "Send notification to stakeholders"
                + (people.isEmpty()
                    ? " (no contacts in the topology: add a contacts section)"
                    : ": " + String.join(", ", people)),
            "Update the status page: " + home + " is down, service continues from " + target,
            "Prepare the RCA timeline for the post-incident review: record when each step above"
                + " started and ended");
    steps.add(
        new RunbookStep(
            steps.size() + 1,
            StepKind.COMMUNICATION,
            "Communication",
            "",
            Duration.ZERO,
            "stakeholders acknowledged, the status page is current, the timeline is kept",
            "N/A – communication continues until the incident is closed",
            manual));
  }

  private static void add(
      List<RunbookStep> steps,
      StepKind kind,
      String action,
      String command,
      Duration duration,
      String check,
      String rollback) {
    // the printed runbook is for people, each step written out; the DR manager (bulwark dr
    // activate) carries out the step kinds it automates with executors of its own
    steps.add(
        new RunbookStep(
            steps.size() + 1, kind, action, "", duration, check, rollback, List.of(command)));
  }

  /**
   * Instances per service the DR region runs after failover: the failed region's count (at least
   * one), or for active/active both regions' counts together.
   */
  static Map<String, Integer> productionCapacity(
      Topology t, String home, String target, DrStrategy strategy) {
    Map<String, Integer> production = new LinkedHashMap<>();
    for (Service s : t.services().stream().filter(Service::runsHere).toList()) {
      int failed = t.running(s, home);
      int there = target.equals(home) ? 0 : t.running(s, target);
      production.put(
          s.name(), strategy == DrStrategy.ACTIVE_ACTIVE ? failed + there : Math.max(failed, 1));
    }
    return production;
  }

  /**
   * Pool weights after failover: the DR region's pools take 100 and the rest 0 (the seed's DR 100 /
   * primary 0); for active/active only the failed region's share moves to the target region.
   */
  static Map<String, Integer> newWeights(
      Traffic traffic, String home, String target, boolean shared) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    List<Traffic.Pool> targetPools =
        traffic.pools().stream().filter(p -> p.region().equals(target)).toList();
    int moved =
        shared
            ? traffic.pools().stream()
                .filter(p -> p.region().equals(home))
                .mapToInt(Traffic.Pool::weight)
                .sum()
            : 100;
    for (Traffic.Pool p : traffic.pools()) {
      int w;
      if (p.region().equals(target)) {
        int k = targetPools.indexOf(p);
        int extra = moved / targetPools.size() + (k < moved % targetPools.size() ? 1 : 0);
        w = (shared ? p.weight() : 0) + extra;
      } else if (shared && !p.region().equals(home)) {
        w = p.weight();
      } else {
        w = 0;
      }
      weights.put(p.name(), w);
    }
    return weights;
  }

  private static String serviceArgs(Map<String, Integer> counts) {
    StringBuilder sb = new StringBuilder();
    counts.forEach((s, n) -> sb.append(' ').append(s).append('=').append(n));
    return sb.toString();
  }

  private static String quote(String file) {
    return file.matches("[A-Za-z0-9_./-]+") ? file : "'" + file.replace("'", "'\\''") + "'";
  }
}
