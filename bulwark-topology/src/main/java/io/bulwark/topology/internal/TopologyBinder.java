package io.bulwark.topology.internal;

import io.bulwark.kernel.Durations;
import io.bulwark.topology.AvailabilityFigures;
import io.bulwark.topology.Contacts;
import io.bulwark.topology.Database;
import io.bulwark.topology.DisasterRecovery;
import io.bulwark.topology.DrStrategy;
import io.bulwark.topology.Profile;
import io.bulwark.topology.Region;
import io.bulwark.topology.Service;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyError;
import io.bulwark.topology.Traffic;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Turns a shape-checked {@link YamlNode} tree into a {@link Topology}, filling in the profile's
 * defaults. It is lenient: a value the shape check already rejected is replaced by its default so
 * that the reference checks still run and every error is reported in one pass. Rules that records
 * enforce (min <= max, weights adding up) are reported with the line of the offending block.
 */
final class TopologyBinder {

  private static final long MAX_COUNT = 100_000;

  private final String file;
  private final List<TopologyError> errors;
  private final Locator locator;
  private final Map<String, String> origins = new HashMap<>();
  private Profile profile = Profile.CLOUD;

  private TopologyBinder(String file, List<TopologyError> errors, Locator locator) {
    this.file = file;
    this.errors = errors;
    this.locator = locator;
  }

  /**
   * The result of binding.
   *
   * @param topology empty when not even regions and services could be read
   * @param origins file path of each named element, keyed {@code "service:web"}, {@code
   *     "region:us-east-1"}, {@code "replica:dr-1"}, {@code "pool:aws"}
   */
  record Bound(Optional<Topology> topology, Map<String, String> origins) {}

  /** Binds {@code root}. */
  static Bound bind(String file, YamlNode root, Locator locator, List<TopologyError> errors) {
    TopologyBinder b = new TopologyBinder(file, errors, locator);
    return new Bound(b.bind(root), Map.copyOf(b.origins));
  }

  private Optional<Topology> bind(YamlNode root) {
    if (!(root instanceof YamlNode.MapNode m)) {
      return Optional.empty();
    }
    profile = "local".equals(text(get(m, "profile"), "cloud")) ? Profile.LOCAL : Profile.CLOUD;
    Topology.Builder b = Topology.builder(text(get(m, "name"), "unnamed")).profile(profile);
    b.availability(availability(map(get(m, "availability"))));
    List<Region> regions = regions(get(m, "regions"));
    regions.forEach(b::region);
    Map<String, Region> byName = new HashMap<>();
    regions.forEach(r -> byName.put(r.name(), r));
    List<Service> services = services(get(m, "services"));
    services.forEach(b::service);
    database(map(get(m, "database")), byName).ifPresent(b::database);
    traffic(map(get(m, "traffic")), services).ifPresent(b::traffic);
    dr(map(get(m, "dr"))).ifPresent(b::dr);
    b.contacts(contacts(map(get(m, "contacts"))));
    if (regions.isEmpty() || services.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(b.build());
  }

  private AvailabilityFigures availability(YamlNode.MapNode m) {
    AvailabilityFigures d = AvailabilityFigures.defaults();
    return new AvailabilityFigures(
        pct(get(m, "instance")).orElse(d.instance()),
        pct(get(m, "zone")).orElse(d.zone()),
        pct(get(m, "region")).orElse(d.region()),
        pct(get(m, "database-node")).orElse(d.databaseNode()),
        pct(get(m, "gateway")).orElse(d.gateway()),
        pct(get(m, "external")).orElse(d.external()));
  }

  private List<Region> regions(YamlNode node) {
    List<Region> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<YamlNode> items = items(node);
    for (int i = 0; i < items.size(); i++) {
      String path = "regions[" + i + "]";
      YamlNode.MapNode m = map(items.get(i));
      if (m == null) {
        continue;
      }
      String name = text(get(m, "name"), path);
      if (!unique(seen, name, path, "region")) {
        continue;
      }
      boolean primaryTaken = out.stream().anyMatch(r -> r.role() == Region.Role.PRIMARY);
      Region.Role role =
          switch (text(get(m, "role"), "")) {
            case "primary" -> Region.Role.PRIMARY;
            case "standby" -> Region.Role.STANDBY;
            case "active" -> Region.Role.ACTIVE;
            // already reported; guess the role that adds no second error
            default -> primaryTaken ? Region.Role.STANDBY : Region.Role.PRIMARY;
          };
      List<String> zones = names(get(m, "zones"));
      List<String> distinct = zones.stream().distinct().toList();
      if (distinct.size() != zones.size()) {
        error(path + ".zones", "zone names must be unique, got " + zones);
      }
      if (distinct.isEmpty()) {
        distinct = List.of(name + "-zone");
      }
      YamlNode.MapNode net = map(get(m, "network"));
      Region.Network d = Region.Network.defaults();
      Region.Network network =
          new Region.Network(
              (int) integer(get(net, "internet-gateways"), d.internetGateways(), 0, MAX_COUNT),
              (int) integer(get(net, "nat-gateways"), d.natGateways(), 0, MAX_COUNT),
              (int) integer(get(net, "vpn-tunnels"), d.vpnTunnels(), 0, MAX_COUNT),
              bool(get(net, "dedicated-link"), d.dedicatedLink()));
      out.add(
          new Region(
              name,
              role,
              text(get(m, "provider"), ""),
              distinct,
              pct(get(m, "availability")),
              network));
    }
    return out;
  }

  private List<Service> services(YamlNode node) {
    List<Service> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<YamlNode> items = items(node);
    for (int i = 0; i < items.size(); i++) {
      String path = "services[" + i + "]";
      YamlNode.MapNode m = map(items.get(i));
      if (m == null) {
        continue;
      }
      String name = text(get(m, "name"), path);
      if (!unique(seen, name, path, "service")) {
        continue;
      }
      Service.Kind kind =
          switch (text(get(m, "kind"), "app")) {
            case "cache" -> Service.Kind.CACHE;
            case "queue" -> Service.Kind.QUEUE;
            case "external" -> Service.Kind.EXTERNAL;
            default -> Service.Kind.APP;
          };
      Service.Builder sb = Service.builder(name, profile).kind(kind);
      sb.stateful(bool(get(m, "stateful"), false));
      pct(get(m, "availability")).ifPresent(sb::availability);
      sb.instances(instances(m, kind, path));
      sb.placement(placement(map(get(m, "placement"))));
      sb.healthCheck(healthCheck(map(get(m, "health-check")), path + ".health-check"));
      Service.Rollout dr = Service.Rollout.defaults(profile);
      sb.rollout(
          new Service.Rollout(
              dur(get(m, "grace-period"), dr.gracePeriod()),
              dur(get(m, "warm-up"), dr.warmUp()),
              dur(get(m, "deregistration-delay"), dr.deregistrationDelay()),
              (int)
                  integer(
                      get(map(get(m, "rolling")), "min-healthy-percent"),
                      dr.minHealthyPercent(),
                      0,
                      100)));
      for (YamlNode dep : items(get(m, "depends-on"))) {
        YamlNode.MapNode dm = map(dep);
        if (dm == null || !(get(dm, "service") instanceof YamlNode.Scalar)) {
          continue;
        }
        sb.dependsOn(
            new Service.Dependency(
                text(get(dm, "service"), ""),
                "async".equals(text(get(dm, "call"), "sync")),
                bool(get(dm, "circuit-breaker"), false),
                bool(get(dm, "fallback"), false),
                Optional.ofNullable(text(get(dm, "address"), null))));
      }
      out.add(sb.build());
    }
    return out;
  }

  private Service.Instances instances(YamlNode.MapNode service, Service.Kind kind, String path) {
    YamlNode.MapNode m = map(get(service, "instances"));
    if (kind == Service.Kind.EXTERNAL) {
      if (get(service, "instances") != null) {
        error(
            path + ".instances",
            "an external service has no instances here, got "
                + get(service, "instances").describe());
      }
      return Service.Instances.NONE;
    }
    if (m == null) {
      if (get(service, "instances") == null) {
        error(path + ".instances", "required unless kind is external, got nothing");
      }
      return Service.Instances.of(1, 1, 1);
    }
    long min = integer(get(m, "min"), 1, 0, MAX_COUNT);
    long max = integer(get(m, "max"), Math.max(1, min), 1, MAX_COUNT);
    long desired = integer(get(m, "desired"), Math.min(max, Math.max(1, min)), 0, MAX_COUNT);
    if (desired < 1) {
      error(path + ".instances.desired", "must be >= 1 for a service Bulwark runs, got 0");
      desired = 1;
    }
    long fMin = min;
    long fMax = max;
    long fDesired = desired;
    return attempt(
        path + ".instances",
        () -> Service.Instances.of((int) fMin, (int) fMax, (int) fDesired),
        () -> {
          int lo = (int) Math.max(0, Math.min(fMin, fMax));
          int hi = (int) Math.max(Math.max(1, fMin), fMax);
          return Service.Instances.of(
              lo, hi, (int) Math.min(hi, Math.max(Math.max(1, lo), fDesired)));
        });
  }

  private Service.Placement placement(YamlNode.MapNode m) {
    Map<String, Integer> perRegion = new LinkedHashMap<>();
    YamlNode.MapNode pr = map(get(m, "per-region"));
    if (pr != null) {
      pr.entries()
          .values()
          .forEach(e -> perRegion.put(e.key(), (int) integer(e.value(), 0, 0, MAX_COUNT)));
    }
    perRegion.replaceAll((k, v) -> Math.max(0, v));
    return new Service.Placement(names(get(m, "regions")), names(get(m, "zones")), perRegion);
  }

  private Service.HealthCheck healthCheck(YamlNode.MapNode m, String path) {
    Service.HealthCheck d = Service.HealthCheck.defaults(profile);
    String p =
        text(get(m, "path"), d.path()).startsWith("/") ? text(get(m, "path"), d.path()) : d.path();
    Duration interval = dur(get(m, "interval"), d.interval());
    Duration timeout = dur(get(m, "timeout"), d.timeout());
    int healthy = (int) integer(get(m, "healthy-threshold"), d.healthyThreshold(), 1, 100);
    int unhealthy = (int) integer(get(m, "unhealthy-threshold"), d.unhealthyThreshold(), 1, 100);
    String matcher = text(get(m, "matcher"), d.matcher());
    return attempt(
        path,
        () -> new Service.HealthCheck(p, interval, timeout, healthy, unhealthy, matcher),
        () -> d);
  }

  private Optional<Database> database(YamlNode.MapNode m, Map<String, Region> regions) {
    if (m == null) {
      return Optional.empty();
    }
    YamlNode.MapNode pm = map(get(m, "primary"));
    Database.Location primary = location(pm, regions);
    List<Database.Replica> replicas = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<YamlNode> items = items(get(m, "replicas"));
    for (int i = 0; i < items.size(); i++) {
      YamlNode.MapNode rm = map(items.get(i));
      if (rm == null) {
        continue;
      }
      String path = "database.replicas[" + i + "]";
      String name = text(get(rm, "name"), path);
      if (!unique(seen, name, path, "replica")) {
        continue;
      }
      replicas.add(
          new Database.Replica(
              name, location(rm, regions), "sync".equals(text(get(rm, "mode"), "async"))));
    }
    Optional<Database.Backups> backups = Optional.empty();
    YamlNode.MapNode bm = map(get(m, "backups"));
    if (bm != null) {
      backups =
          Optional.of(
              new Database.Backups(
                  bool(get(bm, "enabled"), true),
                  dur(get(bm, "retention"), Duration.ofDays(7)),
                  text(get(bm, "window"), "03:00-04:00"),
                  bool(get(bm, "pitr"), true),
                  Optional.ofNullable(text(get(bm, "copy-to-region"), null))));
    }
    return Optional.of(
        new Database(
            text(get(m, "name"), "database"),
            pct(get(m, "availability")),
            primary,
            replicas,
            backups));
  }

  private Database.Location location(YamlNode.MapNode m, Map<String, Region> regions) {
    String region = text(get(m, "region"), "");
    String firstZone =
        Optional.ofNullable(regions.get(region)).map(r -> r.zones().get(0)).orElse("");
    return new Database.Location(region, text(get(m, "zone"), firstZone));
  }

  private Optional<Traffic> traffic(YamlNode.MapNode m, List<Service> services) {
    if (m == null) {
      return Optional.empty();
    }
    String defaultService =
        services.stream().filter(Service::runsHere).map(Service::name).findFirst().orElse("");
    List<YamlNode> items = items(get(m, "pools"));
    boolean anyWeight =
        items.stream().map(this::map).anyMatch(p -> p != null && get(p, "weight") != null);
    List<Traffic.Pool> pools = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    int n = (int) items.stream().filter(it -> map(it) != null).count();
    for (int i = 0; i < items.size(); i++) {
      YamlNode.MapNode pm = map(items.get(i));
      if (pm == null) {
        continue;
      }
      String path = "traffic.pools[" + i + "]";
      String name = text(get(pm, "name"), path);
      if (!unique(seen, name, path, "pool")) {
        continue;
      }
      int weight;
      if (!anyWeight) {
        weight = 100 / n + (pools.size() < 100 % n ? 1 : 0);
      } else if (get(pm, "weight") == null) {
        error(path + ".weight", "give every pool a weight when any pool has one, got nothing");
        weight = 0;
      } else {
        weight = (int) integer(get(pm, "weight"), 0, 0, 100);
      }
      pools.add(
          new Traffic.Pool(
              name, text(get(pm, "region"), ""), text(get(pm, "service"), defaultService), weight));
    }
    if (pools.isEmpty()) {
      return Optional.empty();
    }
    List<Traffic.GeoRule> geo = new ArrayList<>();
    for (YamlNode g : items(get(m, "geo"))) {
      YamlNode.MapNode gm = map(g);
      geo.add(new Traffic.GeoRule(text(get(gm, "match"), ""), text(get(gm, "pool"), "")));
    }
    List<Traffic.HeaderRule> headers = new ArrayList<>();
    for (YamlNode h : items(get(m, "headers"))) {
      YamlNode.MapNode hm = map(h);
      headers.add(
          new Traffic.HeaderRule(
              text(get(hm, "header"), ""), text(get(hm, "value"), ""), text(get(hm, "pool"), "")));
    }
    YamlNode.MapNode am = map(get(m, "affinity"));
    Traffic.Affinity affinity =
        new Traffic.Affinity(
            "cookie".equals(text(get(am, "type"), "cookie")),
            dur(get(am, "ttl"), profile.stickiness()));
    YamlNode.MapNode mm = map(get(m, "monitor"));
    Traffic.Monitor defaults =
        new Traffic.Monitor("/health", profile.healthInterval(), profile.healthTimeout(), 3, "200");
    String mPath = text(get(mm, "path"), defaults.path());
    Duration mInterval = dur(get(mm, "interval"), defaults.interval());
    Duration mTimeout = dur(get(mm, "timeout"), defaults.timeout());
    int mRetries = (int) integer(get(mm, "retries"), defaults.retries(), 0, 10);
    String mCodes = text(get(mm, "expected-codes"), defaults.expectedCodes());
    List<String> mRegions = names(get(mm, "check-regions"));
    Traffic.Monitor monitor =
        attempt(
            "traffic.monitor",
            () -> new Traffic.Monitor(mPath, mInterval, mTimeout, mRetries, mCodes, mRegions),
            () -> defaults);
    boolean monitorGiven = mm != null;
    Optional<String> fallback = Optional.ofNullable(text(get(m, "fallback-pool"), null));
    Optional<Traffic.Cache> cache = edgeCache(map(get(m, "cache")));
    List<Traffic.Route> routes =
        routes(
            get(m, "routes"), pools.stream().map(Traffic.Pool::name).toList(), cache.isPresent());
    Optional<Traffic.Protection> protection = protection(map(get(m, "protection")));
    return Optional.of(
        attempt(
            "traffic.pools",
            () ->
                new Traffic(
                    pools,
                    geo,
                    headers,
                    affinity,
                    fallback,
                    monitor,
                    monitorGiven,
                    routes,
                    cache,
                    protection),
            () -> {
              List<Traffic.Pool> even = new ArrayList<>();
              for (int k = 0; k < pools.size(); k++) {
                Traffic.Pool p = pools.get(k);
                int w = 100 / pools.size() + (k < 100 % pools.size() ? 1 : 0);
                even.add(new Traffic.Pool(p.name(), p.region(), p.service(), w));
              }
              return new Traffic(
                  even,
                  geo,
                  headers,
                  affinity,
                  fallback,
                  monitor,
                  monitorGiven,
                  routes,
                  cache,
                  protection);
            }));
  }

  /**
   * The route table. Checked here rather than in the validator, where a route dropped for an error
   * would shift the indices of the ones after it in every later message.
   */
  private List<Traffic.Route> routes(YamlNode node, List<String> poolNames, boolean cacheGiven) {
    List<Traffic.Route> routes = new ArrayList<>();
    Map<String, Integer> firstByMatch = new HashMap<>();
    List<YamlNode> items = items(node);
    for (int i = 0; i < items.size(); i++) {
      YamlNode.MapNode rm = map(items.get(i));
      if (rm == null) {
        continue;
      }
      String path = "traffic.routes[" + i + "]";
      Optional<String> prefix = Optional.ofNullable(text(get(rm, "path-prefix"), null));
      Optional<String> contains = Optional.ofNullable(text(get(rm, "path-contains"), null));
      boolean noAffinity = "none".equals(text(get(rm, "affinity"), "inherit"));
      Optional<Duration> ttl = Optional.ofNullable(dur(get(rm, "ttl"), null));
      boolean cache = bool(get(rm, "cache"), false);
      Optional<String> pool = Optional.ofNullable(text(get(rm, "pool"), null));
      Optional<Duration> timeout = Optional.ofNullable(dur(get(rm, "timeout"), null));
      long retries = integer(get(rm, "retries"), -1, 0, 10);
      Optional<Integer> retryCount = retries < 0 ? Optional.empty() : Optional.of((int) retries);
      Traffic.Route route =
          attempt(
              path,
              () ->
                  new Traffic.Route(
                      prefix, contains, noAffinity, ttl, cache, pool, timeout, retryCount),
              () -> null);
      if (route == null) {
        continue;
      }
      route
          .pool()
          .filter(p -> !poolNames.contains(p))
          .ifPresent(
              p ->
                  error(
                      path + ".pool",
                      "unknown pool, expected one of "
                          + String.join(", ", poolNames)
                          + ", got \""
                          + p
                          + "\""));
      if (route.cache() && !cacheGiven) {
        error(
            path + ".cache",
            "a route served from the edge cache needs a traffic.cache section, got cache: true"
                + " without one");
      }
      Integer first = firstByMatch.putIfAbsent(route.describe(), i);
      if (first != null) {
        error(
            path,
            "the same match as traffic.routes["
                + first
                + "], which always wins, got \""
                + route.describe()
                + "\"");
      }
      routes.add(route);
    }
    return routes;
  }

  private Optional<Traffic.Cache> edgeCache(YamlNode.MapNode cm) {
    if (cm == null) {
      return Optional.empty();
    }
    long maxBytes = size(get(cm, "max-size"), 64L << 20);
    long maxEntry = size(get(cm, "max-entry-size"), Math.min(1L << 20, maxBytes));
    List<String> prewarm =
        items(get(cm, "prewarm")).stream()
            .map(n -> text(n, null))
            .filter(p -> p != null && p.startsWith("/"))
            .toList();
    Duration timeout = dur(get(cm, "prewarm-timeout"), Duration.ofSeconds(30));
    return Optional.ofNullable(
        attempt(
            "traffic.cache",
            () -> new Traffic.Cache(maxBytes, maxEntry, prewarm, timeout),
            () -> null));
  }

  private Optional<Traffic.Protection> protection(YamlNode.MapNode pm) {
    if (pm == null) {
      return Optional.empty();
    }
    List<Traffic.BotRule> rules = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<YamlNode> ruleItems = items(get(pm, "rules"));
    for (int i = 0; i < ruleItems.size(); i++) {
      YamlNode.MapNode rm = map(ruleItems.get(i));
      if (rm == null) {
        continue;
      }
      String path = "traffic.protection.rules[" + i + "]";
      String name = text(get(rm, "name"), path);
      if (!unique(seen, name, path, "bot rule")) {
        continue;
      }
      YamlNode.MapNode hm = map(get(rm, "header"));
      Optional<Traffic.HeaderMatch> header =
          hm == null
              ? Optional.empty()
              : Optional.of(
                  new Traffic.HeaderMatch(text(get(hm, "name"), ""), text(get(hm, "pattern"), "")));
      rules.add(
          new Traffic.BotRule(
              name,
              text(get(rm, "action"), "deny"),
              Optional.ofNullable(text(get(rm, "path"), null)),
              Optional.ofNullable(text(get(rm, "user-agent"), null)),
              header,
              Optional.ofNullable(text(get(rm, "client"), null))));
    }
    List<Traffic.RateLimit> limits = new ArrayList<>();
    List<YamlNode> limitItems = items(get(pm, "rate-limits"));
    for (int i = 0; i < limitItems.size(); i++) {
      YamlNode.MapNode lm = map(limitItems.get(i));
      if (lm == null) {
        continue;
      }
      String path = "traffic.protection.rate-limits[" + i + "]";
      String name = text(get(lm, "name"), path);
      if (!unique(seen, name, path, "rate limit")) {
        continue;
      }
      String rateText = text(get(lm, "rate"), "1/s");
      double rate = rate(rateText);
      if (rateText.matches("^0+(\\.0+)?/[smh]$")) {
        error(path + ".rate", "a rate must be more than 0, got \"" + rateText + "\"");
      }
      int burst =
          (int) integer(get(lm, "burst"), Math.max(1, (long) Math.ceil(rate)), 1, 1_000_000);
      limits.add(
          new Traffic.RateLimit(
              name,
              text(get(lm, "key"), "ip"),
              rate,
              burst,
              Optional.ofNullable(text(get(lm, "path"), null))));
    }
    return Optional.of(
        new Traffic.Protection(
            rules,
            limits,
            (int) integer(get(pm, "challenge-difficulty"), 16, 1, 32),
            dur(get(pm, "challenge-ttl"), Duration.ofHours(1)),
            (int) integer(get(pm, "max-clients"), 100_000, 1, 10_000_000)));
  }

  /** {@code 20/s}, {@code 600/m}, {@code 3600/h} as requests per second; 1 when unreadable. */
  private static double rate(String text) {
    int slash = text.indexOf('/');
    try {
      double n = Double.parseDouble(text.substring(0, slash));
      double per =
          switch (text.substring(slash + 1)) {
            case "m" -> 60;
            case "h" -> 3600;
            default -> 1;
          };
      return n > 0 ? n / per : 1;
    } catch (RuntimeException e) {
      return 1;
    }
  }

  /** {@code 512KB}, {@code 64MB}, {@code 1GB} (1024-based) in bytes; the fallback when absent. */
  private static long size(YamlNode n, long fallback) {
    String text = text(n, null);
    if (text == null || !text.matches("^[1-9][0-9]{0,6}(KB|MB|GB)$")) {
      return fallback;
    }
    long number = Long.parseLong(text.substring(0, text.length() - 2));
    return switch (text.substring(text.length() - 2)) {
      case "KB" -> number << 10;
      case "MB" -> number << 20;
      default -> number << 30;
    };
  }

  private Optional<DisasterRecovery> dr(YamlNode.MapNode m) {
    if (m == null) {
      return Optional.empty();
    }
    DrStrategy strategy;
    try {
      strategy = DrStrategy.fromWord(text(get(m, "strategy"), ""));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.of(
        new DisasterRecovery(
            strategy,
            dur(get(m, "rpo"), strategy.rpo()),
            dur(get(m, "rto"), strategy.rto()),
            Optional.ofNullable(text(get(m, "region"), null))));
  }

  private Contacts contacts(YamlNode.MapNode m) {
    Map<String, String> vendors = new LinkedHashMap<>();
    YamlNode.MapNode vm = map(get(m, "vendor-support"));
    if (vm != null) {
      vm.entries().values().forEach(e -> vendors.put(e.key(), text(e.value(), "")));
    }
    return new Contacts(
        Optional.ofNullable(text(get(m, "primary"), null)),
        Optional.ofNullable(text(get(m, "escalation"), null)),
        vendors);
  }

  // --- lenient readers: a value the shape check rejected reads as the default ---

  private boolean unique(Map<String, String> seen, String name, String path, String what) {
    String first = seen.putIfAbsent(name, path);
    if (first != null) {
      error(
          path + ".name",
          "duplicate "
              + what
              + " name, first given on line "
              + locator.line(first + ".name")
              + ", got \""
              + name
              + "\"");
      return false;
    }
    origins.put(what + ":" + name, path);
    return true;
  }

  private <T> T attempt(String path, Supplier<T> build, Supplier<T> fallback) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      error(path, e.getMessage());
      return fallback.get();
    }
  }

  private void error(String path, String message) {
    errors.add(new TopologyError(file, locator.line(path), path, message));
  }

  private YamlNode.MapNode map(YamlNode n) {
    return n instanceof YamlNode.MapNode m ? m : null;
  }

  private static YamlNode get(YamlNode.MapNode m, String key) {
    if (m == null) {
      return null;
    }
    YamlNode.Entry e = m.entries().get(key);
    return e == null ? null : e.value();
  }

  private static List<YamlNode> items(YamlNode n) {
    return n instanceof YamlNode.ListNode l ? l.items() : List.of();
  }

  private static List<String> names(YamlNode n) {
    return items(n).stream()
        .filter(i -> i instanceof YamlNode.Scalar s && s.kind() != YamlNode.Scalar.Kind.NULL)
        .map(i -> ((YamlNode.Scalar) i).text())
        .filter(t -> t.matches(TopologySchema.NAME_PATTERN))
        .toList();
  }

  private static String text(YamlNode n, String fallback) {
    return n instanceof YamlNode.Scalar s && s.kind() != YamlNode.Scalar.Kind.NULL
        ? s.text()
        : fallback;
  }

  private static long integer(YamlNode n, long fallback, long min, long max) {
    if (n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.INTEGER) {
      try {
        long v = Long.parseLong(s.text());
        return v < min || v > max ? fallback : v;
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }

  private static boolean bool(YamlNode n, boolean fallback) {
    return n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.BOOLEAN
        ? Boolean.parseBoolean(s.text().toLowerCase(Locale.ROOT))
        : fallback;
  }

  private static Duration dur(YamlNode n, Duration fallback) {
    return n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.STRING
        ? Durations.parse(s.text()).orElse(fallback)
        : fallback;
  }

  private static OptionalDouble pct(YamlNode n) {
    BigDecimal v = ShapeChecker.number(n);
    if (v == null || v.signum() <= 0 || v.compareTo(BigDecimal.valueOf(100)) > 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(v.doubleValue());
  }
}
