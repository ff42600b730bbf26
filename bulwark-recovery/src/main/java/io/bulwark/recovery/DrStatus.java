package io.bulwark.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.dr.ClusterStatus;
import io.bulwark.kernel.Json;
import io.bulwark.recovery.internal.Site;
import io.bulwark.topology.DisasterRecovery;
import io.bulwark.topology.DrStrategy;
import io.bulwark.topology.Region;
import io.bulwark.topology.Traffic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code bulwark dr status} reports about a running topology: the primary region's health
 * (healthy targets behind its pools at the gateway), the DR region's readiness (its instances, its
 * database replica and that replica's lag), and the strategy and targets from the topology.
 *
 * @param topology the topology's name
 * @param strategy the DR strategy, e.g. {@code pilot-light}
 * @param rpoSeconds the topology's RPO target
 * @param rtoSeconds the topology's RTO target
 * @param primary the primary region
 * @param dr the DR region
 * @param databaseLeader the database member taking writes, if the database runs and has one
 * @param monitoring the last monitoring event the DR manager recorded, if any
 */
public record DrStatus(
    String topology,
    String strategy,
    long rpoSeconds,
    long rtoSeconds,
    RegionStatus primary,
    RegionStatus dr,
    Optional<String> databaseLeader,
    Optional<JsonNode> monitoring) {

  /**
   * One region.
   *
   * @param region its name
   * @param pools its gateway pools: name, weight, healthy targets, targets
   * @param healthyInstances per service, its instances in service and healthy
   * @param database its database members: name, role, lag
   * @param ready whether it is healthy (primary) or ready to take over (DR)
   * @param problems why not, when it is not
   */
  public record RegionStatus(
      String region,
      List<Map<String, Object>> pools,
      Map<String, Integer> healthyInstances,
      List<Map<String, Object>> database,
      boolean ready,
      List<String> problems) {}

  /**
   * Reads the status of {@code running}.
   *
   * @throws RecoveryException.NotPossible when the topology has no {@code dr} section
   * @throws RecoveryException.Unreachable when the gateway, the fleet or the database does not
   *     answer
   */
  public static DrStatus read(RunningTopology running) {
    DisasterRecovery dr =
        running
            .topology()
            .dr()
            .orElseThrow(
                () ->
                    new RecoveryException.NotPossible(
                        running.topologyFile()
                            + ": no dr section (strategy, rpo, rto, region); bulwark dr plan "
                            + running.topologyFile()
                            + " suggests one"));
    String home = running.topology().homeRegion().name();
    String target = running.topology().drRegion().map(Region::name).orElse(home);
    try (Site site = new Site(running)) {
      JsonNode pools = site.pools();
      Optional<ClusterStatus> db =
          site.database().isPresent() ? Optional.of(site.databaseStatus()) : Optional.empty();
      RegionStatus primary = region(running, site, pools, db, home, true, dr.strategy());
      RegionStatus standby = region(running, site, pools, db, target, false, dr.strategy());
      return new DrStatus(
          running.topology().name(),
          dr.strategy().word(),
          dr.rpo().toSeconds(),
          dr.rto().toSeconds(),
          primary,
          standby,
          db.flatMap(ClusterStatus::leader),
          lastMonitoringEvent(running.stateDir().resolve("monitoring.jsonl")));
    }
  }

  private static RegionStatus region(
      RunningTopology running,
      Site site,
      JsonNode pools,
      Optional<ClusterStatus> db,
      String region,
      boolean primary,
      DrStrategy strategy) {
    List<String> problems = new ArrayList<>();
    List<Map<String, Object>> poolRows = new ArrayList<>();
    int healthyTargets = 0;
    List<String> names =
        running
            .topology()
            .traffic()
            .map(t -> t.pools().stream().filter(p -> p.region().equals(region)))
            .map(s -> s.map(Traffic.Pool::name).toList())
            .orElse(List.of());
    for (JsonNode p : pools) {
      if (names.contains(p.path("name").asText())) {
        Map<String, Object> row = new LinkedHashMap<>();
        int healthy = Site.healthyTargets(p);
        healthyTargets += healthy;
        row.put("name", p.path("name").asText());
        row.put("weight", p.path("weight").asInt());
        row.put("healthyTargets", healthy);
        row.put("targets", p.path("targets").size());
        poolRows.add(row);
      }
    }
    Map<String, Integer> instances = site.healthyInRegion(region);
    List<Map<String, Object>> members = new ArrayList<>();
    db.ifPresent(
        s ->
            s.members().stream()
                .filter(m -> m.region().equals(region))
                .forEach(m -> members.add(member(m, s))));
    if (primary) {
      if (!poolRows.isEmpty() && healthyTargets == 0) {
        problems.add("no healthy target behind " + names + " at the gateway");
      }
      if (poolRows.isEmpty() && instances.values().stream().allMatch(n -> n == 0)) {
        problems.add("no healthy instance in " + region);
      }
      if (db.isPresent() && db.get().leader().flatMap(db.get()::member).isEmpty()) {
        problems.add("the database has no primary");
      }
    } else {
      if (running.topology().database().isPresent() && db.isPresent()) {
        boolean replicaRuns =
            members.stream()
                .anyMatch(
                    m ->
                        m.get("role").equals("primary") || Boolean.TRUE.equals(m.get("streaming")));
        if (!replicaRuns) {
          problems.add("no database member in " + region + " streams from the primary");
        }
      }
      if (strategy != DrStrategy.PILOT_LIGHT && strategy != DrStrategy.BACKUP_RESTORE) {
        instances.forEach(
            (service, n) -> {
              if (n == 0) {
                problems.add(service + " has no healthy instance in " + region);
              }
            });
      }
    }
    return new RegionStatus(region, poolRows, instances, members, problems.isEmpty(), problems);
  }

  private static Map<String, Object> member(ClusterStatus.Member m, ClusterStatus s) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("name", m.name());
    row.put("role", s.leader().map(m.name()::equals).orElse(false) ? "primary" : m.role());
    row.put("agentState", m.agentState());
    row.put("streaming", m.streaming());
    row.put("lagBytes", m.lagBytes().isPresent() ? m.lagBytes().getAsLong() : null);
    row.put("lagSeconds", m.lagSeconds().isPresent() ? m.lagSeconds().getAsDouble() : null);
    return row;
  }

  private static Optional<JsonNode> lastMonitoringEvent(Path log) {
    if (!Files.isRegularFile(log)) {
      return Optional.empty();
    }
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          return Optional.of(Json.parse(lines.get(i)));
        }
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Whether the primary region is healthy. */
  public boolean primaryHealthy() {
    return primary.ready();
  }

  /** The JSON of {@code bulwark dr status --json}; its field names are a contract. */
  public Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("topology", topology);
    out.put("strategy", strategy);
    out.put("targets", Map.of("rpoSeconds", rpoSeconds, "rtoSeconds", rtoSeconds));
    out.put("primary", region(primary, "healthy"));
    out.put("dr", region(dr, "ready"));
    out.put("databaseLeader", databaseLeader.orElse(null));
    out.put("monitoring", monitoring.orElse(null));
    return out;
  }

  private static Map<String, Object> region(RegionStatus r, String flag) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("region", r.region());
    out.put(flag, r.ready());
    out.put("problems", r.problems());
    out.put("pools", r.pools());
    out.put("healthyInstances", r.healthyInstances());
    out.put("database", r.database());
    return out;
  }
}
