package io.bulwark.fleet.stack;

import io.bulwark.fleet.GroupConfig;
import io.bulwark.fleet.Zone;
import io.bulwark.topology.Profile;
import io.bulwark.topology.Region;
import io.bulwark.topology.Service;
import io.bulwark.topology.Topology;
import io.bulwark.topology.Traffic;
import io.bulwark.traffic.BotProtection;
import io.bulwark.traffic.EdgeCache;
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
import java.util.Optional;
import java.util.Set;

/**
 * What running a topology on this machine means: the gateway's configuration (one pool per traffic
 * pool, with the monitor's or else the service's health check, deregistration delay, rules,
 * fallback, affinity, route table, edge cache and bot protection) and one instance group per
 * service Bulwark runs (its size, zones, per-region counts and rollout timings), with the gateway
 * pool each region's instances join. A group runs in the zones {@link Topology#layout} places its
 * service in: the ones its placement names, else two or three per region (the seed's {@code
 * min(len(azs), max(min_az_count, 3))}).
 *
 * <p>When the monitor names check regions, the gateway runs in the home region, and every other
 * check region gets a probing gateway of its own ({@code regionGateways}: same pools, no client
 * traffic) that the main gateway asks for target health, as a gateway instance in that region would
 * be asked.
 *
 * @param topology the topology it came from
 * @param gateway the gateway's configuration (ports as given to {@link #of}); its peers are added
 *     once the region gateways run
 * @param regionGateways the probing gateways of check regions other than the home region, by region
 *     (free ports, admin API on)
 * @param groups one group per service, in file order
 */
public record StackPlan(
    Topology topology,
    GatewayConfig gateway,
    Map<String, GatewayConfig> regionGateways,
    List<GroupPlan> groups) {

  public StackPlan {
    Objects.requireNonNull(topology, "topology");
    Objects.requireNonNull(gateway, "gateway");
    regionGateways = Map.copyOf(regionGateways);
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
   * @param livenessPath the path whose failures replace an instance in service (empty: {@code
   *     healthPath})
   */
  public record GroupPlan(
      Service service,
      GroupConfig config,
      Map<String, String> poolByRegion,
      String healthPath,
      Duration healthTimeout,
      Optional<String> livenessPath) {
    public GroupPlan {
      poolByRegion = Map.copyOf(poolByRegion);
      Objects.requireNonNull(livenessPath, "livenessPath");
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
    RouteConfig defaultRoute =
        RouteConfig.of("/", local ? Duration.ofSeconds(10) : Duration.ofSeconds(30), 2);
    GatewayConfig.Builder gateway =
        GatewayConfig.builder()
            .port(port)
            .adminPort(adminPort)
            .accessLog(false)
            .defaultRoute(defaultRoute)
            .shutdownGrace(local ? Duration.ofSeconds(5) : Duration.ofSeconds(30));
    Optional<Traffic.Monitor> monitor =
        topology.traffic().filter(Traffic::monitorGiven).map(Traffic::monitor);
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
              .healthCheck(
                  monitor
                      .map(m -> healthCheck(m, s.healthCheck()))
                      .orElseGet(() -> healthCheck(s.healthCheck())))
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
              t.routes().forEach(r -> gateway.route(route(r, defaultRoute)));
              t.cache().ifPresent(c -> gateway.cache(edgeCache(c)));
              t.protection().ifPresent(pr -> gateway.protection(protection(pr)));
            });
    Map<String, GatewayConfig> regionGateways = new LinkedHashMap<>();
    List<String> checkRegions = monitor.map(Traffic.Monitor::checkRegions).orElse(List.of());
    if (!checkRegions.isEmpty()) {
      String home = topology.homeRegion().name();
      gateway.region(home);
      GatewayConfig main = gateway.build();
      for (String region : checkRegions) {
        if (!region.equals(home)) {
          regionGateways.put(
              region,
              GatewayConfig.builder()
                  .pools(main.pools())
                  .region(region)
                  .port(0)
                  .adminPort(0)
                  .accessLog(false)
                  .shutdownGrace(Duration.ZERO)
                  .build());
        }
      }
    }
    List<GroupPlan> groups = new ArrayList<>();
    for (Service s : runnable) {
      Map<String, Map<String, Integer>> layout = topology.layout(s);
      List<Zone> zones = new ArrayList<>();
      layout.forEach(
          (region, byZone) -> byZone.keySet().forEach(zone -> zones.add(Zone.of(region, zone))));
      if (zones.isEmpty()) { // placed nowhere that serves: the home region's default zones
        Region home = topology.homeRegion();
        topology.zones(s, home).forEach(z -> zones.add(Zone.of(home.name(), z)));
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
              s,
              config.build(),
              poolByRegion,
              s.healthCheck().path(),
              s.healthCheck().timeout(),
              s.healthCheck().livenessPath()));
    }
    return new StackPlan(topology, gateway.build(), regionGateways, groups);
  }

  /**
   * The monitor's pool check: its path, interval, timeout, retries (failures before a target is
   * down) and expected codes, probed from its check regions; passes before healthy again come from
   * the service's own check.
   */
  private static HealthCheck healthCheck(Traffic.Monitor m, Service.HealthCheck own) {
    return HealthCheck.builder()
        .path(m.path())
        .interval(m.interval())
        .timeout(m.timeout())
        .healthyThreshold(own.healthyThreshold())
        .unhealthyThreshold(Math.max(1, m.retries()))
        .expectedStatuses(statuses(m.expectedCodes()))
        .checkRegions(Set.copyOf(m.checkRegions()))
        .build();
  }

  private static RouteConfig route(Traffic.Route r, RouteConfig defaults) {
    RouteConfig.Builder b =
        r.pathPrefix().isPresent()
            ? RouteConfig.prefix(r.pathPrefix().get())
            : RouteConfig.containing(r.pathContains().orElseThrow());
    b.timeout(r.timeout().orElse(defaults.timeout()))
        .maxRetries(r.retries().orElse(defaults.maxRetries()))
        .retryOnStatuses(defaults.retryOnStatuses())
        .cache(r.cache());
    if (r.noAffinity()) {
      b.noAffinity();
    }
    r.ttl().ifPresent(b::ttl);
    r.pool().ifPresent(b::pool);
    return b.build();
  }

  private static EdgeCache edgeCache(Traffic.Cache c) {
    return EdgeCache.builder()
        .maxBytes(c.maxBytes())
        .maxEntryBytes((int) Math.min(Integer.MAX_VALUE, c.maxEntryBytes()))
        .prewarm(c.prewarm())
        .prewarmTimeout(c.prewarmTimeout())
        .build();
  }

  private static BotProtection protection(Traffic.Protection p) {
    BotProtection.Builder b =
        BotProtection.builder()
            .challengeDifficulty(p.challengeDifficulty())
            .challengeTtl(p.challengeTtl())
            .maxClients(p.maxClients());
    for (Traffic.BotRule r : p.rules()) {
      List<BotProtection.Condition> conditions = new ArrayList<>();
      r.path().ifPresent(path -> conditions.add(new BotProtection.Condition.PathPrefix(path)));
      r.userAgent().ifPresent(ua -> conditions.add(new BotProtection.Condition.UserAgent(ua)));
      r.header()
          .ifPresent(
              h -> conditions.add(new BotProtection.Condition.Header(h.name(), h.pattern())));
      r.client().ifPresent(c -> conditions.add(new BotProtection.Condition.ClientCidr(c)));
      b.rule(new BotProtection.Rule(r.name(), BotProtection.Action.of(r.action()), conditions));
    }
    for (Traffic.RateLimit l : p.rateLimits()) {
      b.rateLimit(
          new BotProtection.RateLimit(
              l.name(),
              BotProtection.ClientKey.parse(l.key()),
              l.ratePerSecond(),
              l.burst(),
              l.path()));
    }
    return b.build();
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

  /**
   * Status matcher like {@code 200}, {@code 200,204}, {@code 200-299}, {@code 2xx} or {@code 20x}
   * (each {@code x} any digit).
   */
  static Set<Integer> statuses(String matcher) {
    Set<Integer> out = new HashSet<>();
    for (String part : matcher.split(",")) {
      String p = part.trim().toLowerCase(java.util.Locale.ROOT);
      if (p.matches("[1-5][0-9x][0-9x]") && p.contains("x")) {
        for (int s = 100; s <= 599; s++) {
          String status = Integer.toString(s);
          boolean matches = true;
          for (int i = 0; i < 3; i++) {
            if (p.charAt(i) != 'x' && p.charAt(i) != status.charAt(i)) {
              matches = false;
            }
          }
          if (matches) {
            out.add(s);
          }
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
