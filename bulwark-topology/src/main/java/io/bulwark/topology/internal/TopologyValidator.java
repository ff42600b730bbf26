package io.bulwark.topology.internal;

import io.bulwark.topology.Database;
import io.bulwark.topology.DrStrategy;
import io.bulwark.topology.Region;
import io.bulwark.topology.Service;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyError;
import io.bulwark.topology.Traffic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks what the shape cannot: references between parts (regions, zones, services, pools),
 * per-region counts against desired, dependency cycles, and whether the topology can deliver its DR
 * strategy.
 */
final class TopologyValidator {

  private final String file;
  private final Topology t;
  private final Locator locator;
  private final Map<String, String> origins;
  private final List<TopologyError> errors;

  /**
   * Set when a placement names an unknown region or zone: checks that count instances (pools, DR
   * requirements) would then only repeat that error in other words, so they are skipped.
   */
  private boolean placementBroken;

  private TopologyValidator(
      String file,
      Topology t,
      Locator locator,
      Map<String, String> origins,
      List<TopologyError> errors) {
    this.file = file;
    this.t = t;
    this.locator = locator;
    this.origins = origins;
    this.errors = errors;
  }

  /** Adds an error to {@code errors} for each broken rule. */
  static void validate(
      String file,
      Topology topology,
      Locator locator,
      Map<String, String> origins,
      List<TopologyError> errors) {
    new TopologyValidator(file, topology, locator, origins, errors).run();
  }

  private void run() {
    regions();
    t.services().forEach(this::service);
    dependencyCycles();
    t.database().ifPresent(this::database);
    t.traffic().ifPresent(this::traffic);
    dr();
  }

  private void regions() {
    String primary = null;
    Map<String, String> zoneOwner = new HashMap<>();
    for (Region r : t.regions()) {
      String path = origin("region", r.name());
      if (r.role() == Region.Role.PRIMARY) {
        if (primary != null) {
          error(
              path + ".role",
              "only one region can be primary (" + primary + " is), got a second in " + r.name());
        } else {
          primary = r.name();
        }
      }
      for (int i = 0; i < r.zones().size(); i++) {
        String z = r.zones().get(i);
        String owner = zoneOwner.putIfAbsent(z, r.name());
        if (owner != null && !owner.equals(r.name())) {
          error(
              path + ".zones[" + i + "]",
              "zone names must be unique across regions (" + owner + " has it), got \"" + z + "\"");
        }
      }
    }
    if (t.servingRegions().isEmpty()) {
      error("regions", "at least one region must be primary or active, got only standby regions");
    }
  }

  private void service(Service s) {
    String path = origin("service", s.name());
    if (s.runsHere()) {
      placement(s, path + ".placement");
    } else if (!s.placement().equals(Service.Placement.everywhere())) {
      error(path + ".placement", "an external service has no placement here, got a mapping");
    }
    for (int i = 0; i < s.dependsOn().size(); i++) {
      Service.Dependency d = s.dependsOn().get(i);
      String dPath = path + ".depends-on[" + i + "].service";
      if (d.service().equals(s.name())) {
        error(dPath, "a service cannot depend on itself, got \"" + d.service() + "\"");
      } else if (t.service(d.service()).isEmpty()) {
        unknown(dPath, "service", d.service(), serviceNames());
      }
    }
  }

  private void placement(Service s, String path) {
    var p = s.placement();
    for (int i = 0; i < p.regions().size(); i++) {
      if (t.region(p.regions().get(i)).isEmpty()) {
        unknown(path + ".regions[" + i + "]", "region", p.regions().get(i), regionNames());
        placementBroken = true;
      }
    }
    for (String key : p.perRegion().keySet()) {
      if (t.region(key).isEmpty()) {
        unknown(path + ".per-region." + key, "region", key, regionNames());
        placementBroken = true;
      } else if (!p.regions().isEmpty() && !p.regions().contains(key)) {
        error(
            path + ".per-region." + key,
            "region is not in placement.regions " + p.regions() + ", got \"" + key + "\"");
      }
    }
    Map<String, Map<String, Integer>> layout = t.layout(s);
    Set<String> placedZones = new LinkedHashSet<>();
    layout.keySet().forEach(r -> t.region(r).ifPresent(x -> placedZones.addAll(x.zones())));
    for (int i = 0; i < p.zones().size(); i++) {
      if (!placedZones.contains(p.zones().get(i))) {
        unknown(
            path + ".zones[" + i + "]",
            "zone of the placement regions",
            p.zones().get(i),
            List.copyOf(placedZones));
        placementBroken = true;
      }
    }
    if (!p.perRegion().isEmpty()) {
      int sum = p.perRegion().values().stream().mapToInt(Integer::intValue).sum();
      boolean coversAll = layout.keySet().stream().allMatch(p.perRegion()::containsKey);
      int desired = s.instances().desired();
      String detail =
          sum
              + " ("
              + String.join(
                  " + ",
                  p.perRegion().entrySet().stream()
                      .map(e -> e.getKey() + " " + e.getValue())
                      .toList())
              + ")";
      if (coversAll && sum != desired) {
        error(
            path + ".per-region",
            "per-region counts must add up to instances.desired (" + desired + "), got " + detail);
      } else if (!coversAll && sum > desired) {
        error(
            path + ".per-region",
            "per-region counts must not exceed instances.desired (" + desired + "), got " + detail);
      }
    }
    if (!placementBroken
        && !layout.isEmpty()
        && t.servingInstances(s) == 0
        && !t.servingRegions().isEmpty()) {
      error(
          path,
          "needs a running instance in a primary or active region, got instances only in "
              + layout.keySet());
    }
  }

  private void dependencyCycles() {
    Set<String> done = new java.util.HashSet<>();
    for (Service s : t.services()) {
      List<String> cycle = findCycle(s.name(), new ArrayList<>(), done);
      if (!cycle.isEmpty()) {
        error(
            origin("service", cycle.get(0)) + ".depends-on",
            "synchronous dependency cycle, got " + String.join(" → ", cycle));
        return;
      }
    }
  }

  private List<String> findCycle(String name, List<String> stack, Set<String> done) {
    int at = stack.indexOf(name);
    if (at >= 0) {
      List<String> cycle = new ArrayList<>(stack.subList(at, stack.size()));
      cycle.add(name);
      return cycle;
    }
    if (done.contains(name)) {
      return List.of();
    }
    Optional<Service> s = t.service(name);
    if (s.isEmpty()) {
      return List.of();
    }
    stack.add(name);
    for (Service.Dependency d : s.get().dependsOn()) {
      if (!d.async() && !d.service().equals(name)) {
        List<String> c = findCycle(d.service(), stack, done);
        if (!c.isEmpty()) {
          return c;
        }
      }
    }
    stack.remove(stack.size() - 1);
    done.add(name);
    return List.of();
  }

  private void database(Database db) {
    location("database.primary", db.primary());
    t.region(db.primary().region())
        .filter(r -> r.role() == Region.Role.STANDBY)
        .ifPresent(
            r ->
                error(
                    "database.primary.region",
                    "the primary must be in a primary or active region, got standby region \""
                        + r.name()
                        + "\""));
    for (Database.Replica r : db.replicas()) {
      location(origin("replica", r.name()), r.location());
    }
    db.backups()
        .flatMap(Database.Backups::copyToRegion)
        .filter(r -> t.region(r).isEmpty())
        .ifPresent(r -> unknown("database.backups.copy-to-region", "region", r, regionNames()));
  }

  private void location(String path, Database.Location at) {
    Optional<Region> region = t.region(at.region());
    if (region.isEmpty()) {
      unknown(path + ".region", "region", at.region(), regionNames());
    } else if (!region.get().zones().contains(at.zone())) {
      unknown(path + ".zone", "zone of region " + at.region(), at.zone(), region.get().zones());
    }
  }

  private void traffic(Traffic traffic) {
    List<String> poolNames = traffic.pools().stream().map(Traffic.Pool::name).toList();
    for (Traffic.Pool p : traffic.pools()) {
      String path = origin("pool", p.name());
      Optional<Service> svc = t.service(p.service());
      if (t.region(p.region()).isEmpty()) {
        unknown(path + ".region", "region", p.region(), regionNames());
      }
      if (svc.isEmpty()) {
        unknown(path + ".service", "service", p.service(), serviceNames());
      } else if (!svc.get().runsHere()) {
        error(
            path + ".service",
            "a pool sends to instances Bulwark runs, got external service \"" + p.service() + "\"");
      } else if (p.weight() > 0 && t.region(p.region()).isPresent() && !placementBroken) {
        if (t.running(svc.get(), p.region()) == 0) {
          error(
              path,
              "pool has weight "
                  + p.weight()
                  + " but service "
                  + p.service()
                  + " runs no instances in region "
                  + p.region()
                  + ", got 0");
        }
      }
    }
    for (int i = 0; i < traffic.geo().size(); i++) {
      String pool = traffic.geo().get(i).pool();
      if (!poolNames.contains(pool)) {
        unknown("traffic.geo[" + i + "].pool", "pool", pool, poolNames);
      }
    }
    for (int i = 0; i < traffic.headers().size(); i++) {
      String pool = traffic.headers().get(i).pool();
      if (!poolNames.contains(pool)) {
        unknown("traffic.headers[" + i + "].pool", "pool", pool, poolNames);
      }
    }
    traffic
        .fallbackPool()
        .filter(p -> !poolNames.contains(p))
        .ifPresent(p -> unknown("traffic.fallback-pool", "pool", p, poolNames));
    List<String> checkRegions = traffic.monitor().checkRegions();
    for (int i = 0; i < checkRegions.size(); i++) {
      if (t.region(checkRegions.get(i)).isEmpty()) {
        unknown(
            "traffic.monitor.check-regions[" + i + "]",
            "region",
            checkRegions.get(i),
            regionNames());
      }
    }
    routes(traffic);
    traffic.protection().ifPresent(this::protection);
  }

  private void routes(Traffic traffic) {
    List<Traffic.Route> routes = traffic.routes();
    traffic
        .cache()
        .ifPresent(
            c -> {
              for (int i = 0; i < c.prewarm().size(); i++) {
                String p = c.prewarm().get(i);
                String bare = p.contains("?") ? p.substring(0, p.indexOf('?')) : p;
                boolean cached =
                    routes.stream()
                        .filter(
                            r ->
                                r.pathPrefix().map(bare::startsWith).orElse(false)
                                    || r.pathContains().map(bare::contains).orElse(false))
                        .findFirst()
                        .map(Traffic.Route::cache)
                        .orElse(false);
                if (!cached) {
                  error(
                      "traffic.cache.prewarm[" + i + "]",
                      "a pre-warmed path must fall on a route with cache: true, got \"" + p + "\"");
                }
              }
            });
  }

  private void protection(Traffic.Protection p) {
    for (int i = 0; i < p.rules().size(); i++) {
      Traffic.BotRule rule = p.rules().get(i);
      String path = origin("bot rule", rule.name());
      rule.userAgent().ifPresent(re -> regex(path + ".user-agent", re));
      rule.header().ifPresent(h -> regex(path + ".header.pattern", h.pattern()));
      rule.client().ifPresent(c -> cidr(path + ".client", c));
    }
  }

  private void regex(String path, String regex) {
    try {
      java.util.regex.Pattern.compile(regex);
    } catch (java.util.regex.PatternSyntaxException e) {
      error(
          path,
          "not a regular expression ("
              + e.getDescription()
              + " at index "
              + e.getIndex()
              + "), got \""
              + regex
              + "\"");
    }
  }

  private void cidr(String path, String cidr) {
    int slash = cidr.indexOf('/');
    try {
      // The shape check allowed only hex digits, '.', ':' before the slash: no DNS lookup.
      byte[] address = java.net.InetAddress.getByName(cidr.substring(0, slash)).getAddress();
      int length = Integer.parseInt(cidr.substring(slash + 1));
      if (length > address.length * 8) {
        error(
            path, "prefix length must be at most " + address.length * 8 + ", got \"" + cidr + "\"");
      }
    } catch (java.net.UnknownHostException | RuntimeException e) {
      error(path, "not an address block like 10.0.0.0/8, got \"" + cidr + "\"");
    }
  }

  private void dr() {
    if (t.dr().isEmpty()) {
      return;
    }
    var dr = t.dr().get();
    if (dr.region().isPresent()) {
      String r = dr.region().get();
      if (t.region(r).isEmpty()) {
        unknown("dr.region", "region", r, regionNames());
        return;
      }
      if (r.equals(t.homeRegion().name())) {
        error(
            "dr.region", "must differ from the region of the database primary, got \"" + r + "\"");
        return;
      }
    }
    if (placementBroken) {
      return;
    }
    for (DrStrategy.Gap gap : dr.strategy().gaps(t)) {
      error("dr.strategy", gap.problem());
    }
  }

  private List<String> regionNames() {
    return t.regions().stream().map(Region::name).toList();
  }

  private List<String> serviceNames() {
    return t.services().stream().map(Service::name).toList();
  }

  private String origin(String kind, String name) {
    return origins.getOrDefault(kind + ":" + name, kind + "s");
  }

  private void unknown(String path, String what, String got, List<String> known) {
    error(
        path,
        "unknown "
            + what
            + ", expected one of "
            + (known.isEmpty() ? "(none)" : String.join(", ", known))
            + ", got \""
            + got
            + "\"");
  }

  private void error(String path, String message) {
    errors.add(new TopologyError(file, locator.line(path), path, message));
  }
}
