package io.bulwark.topology.internal;

import static io.bulwark.topology.internal.BindingReader.bool;
import static io.bulwark.topology.internal.BindingReader.dur;
import static io.bulwark.topology.internal.BindingReader.get;
import static io.bulwark.topology.internal.BindingReader.integer;
import static io.bulwark.topology.internal.BindingReader.items;
import static io.bulwark.topology.internal.BindingReader.map;
import static io.bulwark.topology.internal.BindingReader.names;
import static io.bulwark.topology.internal.BindingReader.rate;
import static io.bulwark.topology.internal.BindingReader.size;
import static io.bulwark.topology.internal.BindingReader.text;

import io.bulwark.topology.Profile;
import io.bulwark.topology.Service;
import io.bulwark.topology.Traffic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds the {@code traffic} section: pools and their weights, geo and header rules, affinity, the
 * monitor, the route table, the edge cache and bot protection.
 */
final class TrafficBinder {

  private final BindingReader reader;
  private final Profile profile;

  TrafficBinder(BindingReader reader, Profile profile) {
    this.reader = reader;
    this.profile = profile;
  }

  /** The traffic section, empty when it is absent or names no pool. */
  Optional<Traffic> traffic(YamlNode.MapNode m, List<Service> services) {
    if (m == null) {
      return Optional.empty();
    }
    String defaultService =
        services.stream().filter(Service::runsHere).map(Service::name).findFirst().orElse("");
    List<YamlNode> items = items(get(m, "pools"));
    boolean anyWeight =
        items.stream().map(BindingReader::map).anyMatch(p -> p != null && get(p, "weight") != null);
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
      if (!reader.unique(seen, name, path, "pool")) {
        continue;
      }
      int weight;
      if (!anyWeight) {
        weight = 100 / n + (pools.size() < 100 % n ? 1 : 0);
      } else if (get(pm, "weight") == null) {
        reader.error(
            path + ".weight", "give every pool a weight when any pool has one, got nothing");
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
        reader.attempt(
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
        reader.attempt(
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
          reader.attempt(
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
                  reader.error(
                      path + ".pool",
                      "unknown pool, expected one of "
                          + String.join(", ", poolNames)
                          + ", got \""
                          + p
                          + "\""));
      if (route.cache() && !cacheGiven) {
        reader.error(
            path + ".cache",
            "a route served from the edge cache needs a traffic.cache section, got cache: true"
                + " without one");
      }
      Integer first = firstByMatch.putIfAbsent(route.describe(), i);
      if (first != null) {
        reader.error(
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
        reader.attempt(
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
      if (!reader.unique(seen, name, path, "bot rule")) {
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
      if (!reader.unique(seen, name, path, "rate limit")) {
        continue;
      }
      String rateText = text(get(lm, "rate"), "1/s");
      double rate = rate(rateText);
      if (rateText.matches("^0+(\\.0+)?/[smh]$")) {
        reader.error(path + ".rate", "a rate must be more than 0, got \"" + rateText + "\"");
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
}
