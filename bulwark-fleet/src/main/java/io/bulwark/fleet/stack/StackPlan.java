package io.bulwark.fleet.stack;

import io.bulwark.fleet.GroupConfig;
import io.bulwark.fleet.Zone;
import io.bulwark.topology.Profile;
import io.bulwark.topology.Region;
import io.bulwark.topology.Service;
import io.bulwark.topology.Topology;
import io.bulwark.topology.Traffic;
import io.bulwark.traffic.GatewayConfig;
import io.bulwark.traffic.HealthCheck;
import io.bulwark.traffic.OutlierDetection;
import io.bulwark.traffic.PoolConfig;
import io.bulwark.traffic.RouteConfig;
import io.bulwark.traffic.RoutingRule;
import io.bulwark.traffic.SessionAffinity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What running a topology on this machine means: the gateway's configuration (one pool per traffic
 * pool, with the service's health check, deregistration delay, rules, fallback and affinity) and
 * one instance group per service Bulwark runs (its size, zones, per-region counts and rollout
 * timings), with the gateway pool each region's instances join.
 *
 * @param topology the topology it came from
 * @param gateway the gateway's configuration (ports as given to {@link #of})
 * @param groups one group per service, in file order
 */
public record StackPlan(Topology topology, GatewayConfig gateway, List<GroupPlan> groups) {

  public StackPlan {
    Objects.requireNonNull(topology, "topology");
    Objects.requireNonNull(gateway, "gateway");
    groups = List.copyOf(groups);
  }

  /**
   * One instance group.
   *
   * @param service the service it runs
   * @param config the group's configuration
   * @param poolByRegion the gateway pool the instances of each region join; regions not named get
   *     no traffic from the gateway
   * @param healthPath the path the group's own readiness check probes
   * @param healthTimeout how long that check waits
   */
  public record GroupPlan(
      Service service,
      GroupConfig config,
      Map<String, String> poolByRegion,
      String healthPath,
      Duration healthTimeout) {
    public GroupPlan {
      poolByRegion = Map.copyOf(poolByRegion);
    }
  }

  /**
   * Plans {@code topology} with the gateway on {@code port} and its admin API on {@code adminPort}
   * (0 picks free ports; {@link GatewayConfig#ADMIN_DISABLED} turns the admin API off).
   *
   * @throws IllegalArgumentException when the topology has nothing to run here
   */
  public static StackPlan of(Topology topology, int port, int adminPort) {
    Objects.requireNonNull(topology, "topology");
    List<Service> runnable = topology.services().stream().filter(Service::runsHere).toList();
    if (runnable.isEmpty()) {
      throw new IllegalArgumentException(
          "topology " + topology.name() + " has no service Bulwark runs (all are external)");
    }
    boolean local = topology.profile() == Profile.LOCAL;
    List<Traffic.Pool> pools = new ArrayList<>();
    topology.traffic().ifPresent(t -> pools.addAll(t.pools()));
    if (pools.isEmpty()) {
      Service entry = runnable.get(0);
      for (String region : topology.layout(entry).keySet()) {
        pools.add(new Traffic.Pool(region, region, entry.name(), 100));
      }
    }
    GatewayConfig.Builder gateway =
        GatewayConfig.builder()
            .port(port)
            .adminPort(adminPort)
            .accessLog(false)
            .defaultRoute(
                RouteConfig.of("/", local ? Duration.ofSeconds(10) : Duration.ofSeconds(30), 2))
            .shutdownGrace(local ? Duration.ofSeconds(5) : Duration.ofSeconds(30));
    Set<String> poolNames = new HashSet<>();
    for (Traffic.Pool p : pools) {
      Service s =
          topology
              .service(p.service())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "pool " + p.name() + " names unknown service " + p.service()));
      gateway.pool(
          PoolConfig.builder(p.name())
              .weight(p.weight())
              .healthCheck(healthCheck(s.healthCheck()))
              .outlierDetection(
                  local
                      ? OutlierDetection.of(3, Duration.ofSeconds(5))
                      : OutlierDetection.defaults())
              .deregistrationDelay(s.rollout().deregistrationDelay())
              .build());
      poolNames.add(p.name());
    }
    topology
        .traffic()
        .ifPresent(
            t -> {
              for (Traffic.HeaderRule h : t.headers()) {
                gateway.rule(new RoutingRule.Header(h.header(), h.value(), h.pool()));
              }
              if (!t.geo().isEmpty()) {
                Map<String, String> byRegion = new LinkedHashMap<>();
                t.geo().forEach(g -> byRegion.putIfAbsent(g.match(), g.pool()));
                gateway.rule(RoutingRule.Geo.byRegion(byRegion));
              }
              t.fallbackPool().filter(poolNames::contains).ifPresent(gateway::fallbackPool);
              if (t.affinity().cookie() && t.affinity().ttl().toSeconds() >= 1) {
                gateway.affinity(SessionAffinity.withTtl(t.affinity().ttl()));
              }
            });
    List<GroupPlan> groups = new ArrayList<>();
    for (Service s : runnable) {
      Map<String, Map<String, Integer>> layout = topology.layout(s);
      List<Zone> zones = new ArrayList<>();
      layout.forEach(
          (region, byZone) -> byZone.keySet().forEach(zone -> zones.add(Zone.of(region, zone))));
      if (zones.isEmpty()) {
        Region home = topology.homeRegion();
        home.zones().forEach(z -> zones.add(Zone.of(home.name(), z)));
      }
      GroupConfig.Builder config =
          GroupConfig.builder(s.name())
              .size(s.instances().min(), s.instances().max(), s.instances().desired())
              .zones(zones)
              .gracePeriod(s.rollout().gracePeriod())
              .warmUp(s.rollout().warmUp())
              .deregistrationDelay(s.rollout().deregistrationDelay())
              .minHealthyPercent(s.rollout().minHealthyPercent())
              .healthCheckInterval(s.healthCheck().interval())
              .unhealthyThreshold(s.healthCheck().unhealthyThreshold())
              .stopGrace(local ? Duration.ofSeconds(3) : Duration.ofSeconds(30));
      s.placement()
          .perRegion()
          .forEach(
              (region, n) -> {
                if (zones.stream().anyMatch(z -> z.region().equals(region))) {
                  config.perRegion(region, n);
                }
              });
      Map<String, String> poolByRegion = new LinkedHashMap<>();
      for (Traffic.Pool p : pools) {
        if (p.service().equals(s.name())) {
          poolByRegion.putIfAbsent(p.region(), p.name());
        }
      }
      groups.add(
          new GroupPlan(
              s, config.build(), poolByRegion, s.healthCheck().path(), s.healthCheck().timeout()));
    }
    return new StackPlan(topology, gateway.build(), groups);
  }

  private static HealthCheck healthCheck(Service.HealthCheck h) {
    return HealthCheck.builder()
        .path(h.path())
        .interval(h.interval())
        .timeout(h.timeout())
        .healthyThreshold(h.healthyThreshold())
        .unhealthyThreshold(h.unhealthyThreshold())
        .expectedStatuses(statuses(h.matcher()))
        .build();
  }

  /** Status matcher like {@code 200}, {@code 200,204}, {@code 200-299} or {@code 2xx}. */
  static Set<Integer> statuses(String matcher) {
    Set<Integer> out = new HashSet<>();
    for (String part : matcher.split(",")) {
      String p = part.trim().toLowerCase(java.util.Locale.ROOT);
      if (p.matches("[1-5]xx")) {
        int base = (p.charAt(0) - '0') * 100;
        for (int s = base; s < base + 100; s++) {
          out.add(s);
        }
      } else if (p.matches("\\d{3}-\\d{3}")) {
        int from = Integer.parseInt(p.substring(0, 3));
        int to = Integer.parseInt(p.substring(4));
        for (int s = from; s <= to; s++) {
          out.add(s);
        }
      } else if (p.matches("\\d{3}")) {
        out.add(Integer.parseInt(p));
      }
    }
    if (out.isEmpty()) {
      out.add(200);
    }
    return out;
  }
}
