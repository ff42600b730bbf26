package io.bulwark.traffic.internal;

import io.bulwark.traffic.GatewayConfig;
import io.bulwark.traffic.PoolConfig;
import io.bulwark.traffic.RouteConfig;
import io.bulwark.traffic.RoutingRule;
import io.bulwark.traffic.SessionAffinity;
import io.bulwark.traffic.TargetConfig;
import io.bulwark.traffic.TargetConflictException;
import io.bulwark.traffic.UnknownPoolException;
import io.bulwark.traffic.UnknownTargetException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Chooses a target for each request: affinity cookie, then the route's pool or the steering rules,
 * then smooth weighted round-robin over the serving pools, then the fallback pool; within a pool,
 * the target with the fewest outstanding requests.
 */
public final class Router {

  private final CopyOnWriteArrayList<Pool> pools = new CopyOnWriteArrayList<>();
  private final Map<String, Pool> poolsByName = new ConcurrentHashMap<>();
  private final Map<String, Target> targetsById = new ConcurrentHashMap<>();
  private final List<CompiledRule> rules;
  private final List<RoutingRule> ruleConfigs;
  private final Optional<String> fallbackPool;
  private final Optional<SessionAffinity> affinity;
  private final RouteConfig defaultRoute;
  private final List<RouteConfig> routes;
  private final Clock clock;
  private final Consumer<Target> onAdded;
  private final Object balanceLock = new Object();

  private volatile Runnable failedOpen = () -> {};

  Router(GatewayConfig config, Clock clock, Consumer<Target> onAdded, Consumer<Target> onRemoved) {
    this.clock = clock;
    this.onAdded = onAdded;
    this.ruleConfigs = config.rules();
    this.rules = config.rules().stream().map(CompiledRule::of).toList();
    this.fallbackPool = config.fallbackPool();
    this.affinity = config.affinity();
    this.defaultRoute = config.defaultRoute();
    this.routes = config.routes();
    for (PoolConfig pc : config.pools()) {
      Pool pool =
          new Pool(
              pc,
              t -> {
                targetsById.remove(t.id(), t);
                onRemoved.accept(t);
              });
      pools.add(pool);
      poolsByName.put(pc.name(), pool);
    }
  }

  /** Runs {@code counter} for each request routed fail-open. */
  void onFailOpen(Runnable counter) {
    this.failedOpen = counter;
  }

  /** Adds the configured targets; separate from construction so callbacks see a full router. */
  void addInitialTargets(GatewayConfig config) {
    for (PoolConfig pc : config.pools()) {
      for (TargetConfig tc : pc.targets()) {
        addTarget(pc.name(), tc);
      }
    }
  }

  public List<Pool> pools() {
    return List.copyOf(pools);
  }

  public Pool pool(String name) {
    Pool pool = poolsByName.get(name);
    if (pool == null) {
      throw new UnknownPoolException(name);
    }
    return pool;
  }

  public Target target(String id) {
    Target target = targetsById.get(id);
    if (target == null) {
      throw new UnknownTargetException(id);
    }
    return target;
  }

  /** The target with {@code id}, or null when there is none (any more). */
  public Target targetOrNull(String id) {
    return targetsById.get(id);
  }

  public List<RoutingRule> rules() {
    return ruleConfigs;
  }

  public Optional<String> fallbackPool() {
    return fallbackPool;
  }

  public Optional<SessionAffinity> affinity() {
    return affinity;
  }

  public RouteConfig defaultRoute() {
    return defaultRoute;
  }

  public List<RouteConfig> routes() {
    return routes;
  }

  synchronized Target addTarget(String poolName, TargetConfig config) {
    Pool pool = pool(poolName);
    Target existing = targetsById.get(config.id());
    if (existing != null) {
      throw new TargetConflictException(config.id(), existing.pool().name());
    }
    Target target = pool.add(config);
    targetsById.put(config.id(), target);
    onAdded.accept(target);
    return target;
  }

  /** The route for {@code path}: the first route in the table that matches, else the default. */
  RouteConfig route(String path) {
    List<RouteConfig> table = routes;
    for (int i = 0, n = table.size(); i < n; i++) {
      RouteConfig r = table.get(i);
      if (r.matches(path)) {
        return r;
      }
    }
    return defaultRoute;
  }

  /**
   * The target for a request, or null when no pool can serve it. Targets in {@code tried} are
   * avoided while others exist. When no target anywhere passes its checks, the gateway fails open
   * (as AWS load balancers do, and Envoy below its panic threshold): it routes to the targets of
   * the pool the request would have gone to anyway, since every target failing at once more often
   * means a dependency they share is down (their database failing over) than that all of them are;
   * they answer as soon as it is back, without waiting for checks to pass again. A request then
   * never goes to the same target twice.
   *
   * @param route the request's route; its pool, if any, comes before the steering rules
   * @param affinityTarget the target id named by a valid affinity cookie, or null
   */
  Target select(
      HttpHeaders headers,
      InetAddress client,
      RouteConfig route,
      String affinityTarget,
      Set<Target> tried,
      long nowNanos) {
    Pool rulePool = null;
    if (route.pool().isPresent()) {
      Pool p = poolsByName.get(route.pool().get());
      if (p != null && p.enabled()) {
        rulePool = p;
      }
    }
    if (rulePool == null && !rules.isEmpty()) {
      rulePool = matchRule(headers, client);
    }
    if (affinityTarget != null && tried.isEmpty()) {
      Target sticky = targetsById.get(affinityTarget);
      if (sticky != null
          && sticky.serving(nowNanos)
          && sticky.pool().enabled()
          && (rulePool == null || sticky.pool() == rulePool)) {
        return sticky;
      }
    }
    Target chosen = selectAvoiding(rulePool, tried, nowNanos);
    if (chosen == null && !tried.isEmpty()) {
      chosen = selectAvoiding(rulePool, Set.of(), nowNanos);
    }
    if (chosen == null) {
      chosen = failOpen(rulePool, tried);
      if (chosen != null) {
        failedOpen.run();
      }
    }
    return chosen;
  }

  /**
   * The fail-open target: from the rule's pool, else from the heaviest weighted pool, else null.
   */
  private Target failOpen(Pool rulePool, Set<Target> tried) {
    if (rulePool != null) {
      return rulePool.chooseIgnoringHealth(tried);
    }
    Pool heaviest = null;
    for (Pool p : pools) {
      if (p.weight() > 0 && p.enabled() && (heaviest == null || p.weight() > heaviest.weight())) {
        heaviest = p;
      }
    }
    if (heaviest == null && fallbackPool.isPresent()) {
      heaviest = poolsByName.get(fallbackPool.get());
    }
    return heaviest == null ? null : heaviest.chooseIgnoringHealth(tried);
  }

  private Target selectAvoiding(Pool rulePool, Set<Target> exclude, long nowNanos) {
    if (rulePool != null) {
      Target t = rulePool.choose(nowNanos, exclude);
      if (t != null) {
        return t;
      }
    }
    Pool weighted = weightedPool(nowNanos, exclude);
    if (weighted != null) {
      Target t = weighted.choose(nowNanos, exclude);
      if (t != null) {
        return t;
      }
    }
    if (fallbackPool.isPresent()) {
      Pool fallback = poolsByName.get(fallbackPool.get());
      return fallback.choose(nowNanos, exclude);
    }
    return null;
  }

  /** Smooth weighted round-robin (as nginx does it) over pools that can serve now. */
  private Pool weightedPool(long nowNanos, Set<Target> exclude) {
    if (pools.size() == 1) {
      // One pool: smooth round-robin would always pick it; skip the lock every event loop shares.
      Pool only = pools.get(0);
      return only.weight() > 0 && only.hasCandidate(nowNanos, exclude) ? only : null;
    }
    synchronized (balanceLock) {
      Pool best = null;
      int total = 0;
      for (Pool p : pools) {
        int w = p.weight();
        if (w <= 0 || !p.hasCandidate(nowNanos, exclude)) {
          continue;
        }
        p.currentWeight += w;
        total += w;
        if (best == null || p.currentWeight > best.currentWeight) {
          best = p;
        }
      }
      if (best != null) {
        best.currentWeight -= total;
      }
      return best;
    }
  }

  private Pool matchRule(HttpHeaders headers, InetAddress client) {
    for (CompiledRule rule : rules) {
      String pool = rule.match(headers, client);
      if (pool != null) {
        Pool p = poolsByName.get(pool);
        if (p != null && p.enabled()) {
          return p;
        }
      }
    }
    return null;
  }

  /** The target id in a valid, unexpired affinity cookie, or null. */
  String affinityTarget(HttpHeaders headers) {
    if (affinity.isEmpty()) {
      return null;
    }
    String name = affinity.get().cookieName();
    for (String header : headers.getAll("cookie")) {
      for (Cookie cookie : ServerCookieDecoder.LAX.decode(header)) {
        if (cookie.name().equals(name)) {
          return parseAffinity(cookie.value());
        }
      }
    }
    return null;
  }

  private String parseAffinity(String value) {
    int sep = value.lastIndexOf('~');
    if (sep <= 0) {
      return null;
    }
    try {
      long expires = Long.parseLong(value.substring(sep + 1));
      return clock.millis() / 1000 < expires ? value.substring(0, sep) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The {@code Set-Cookie} value pinning a client to {@code target}. */
  String affinityCookie(Target target) {
    SessionAffinity a = affinity.orElseThrow();
    long ttl = a.ttl().toSeconds();
    DefaultCookie cookie =
        new DefaultCookie(a.cookieName(), target.id() + "~" + (clock.millis() / 1000 + ttl));
    cookie.setMaxAge(ttl);
    cookie.setPath("/");
    cookie.setHttpOnly(true);
    cookie.setSameSite(CookieHeaderNames.SameSite.Lax);
    return ServerCookieEncoder.STRICT.encode(cookie);
  }

  private interface CompiledRule {
    String match(HttpHeaders headers, InetAddress client);

    static CompiledRule of(RoutingRule rule) {
      return switch (rule) {
        case RoutingRule.Header h ->
            (headers, client) -> h.value().equals(headers.get(h.header())) ? h.pool() : null;
        case RoutingRule.Geo g ->
            (headers, client) -> {
              String region = headers.get(g.header());
              return region == null ? null : g.regionPools().get(region);
            };
        case RoutingRule.Cidr c -> {
          CidrBlock block = CidrBlock.parse(c.cidr());
          yield (headers, client) -> client != null && block.contains(client) ? c.pool() : null;
        }
      };
    }
  }
}
