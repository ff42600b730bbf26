package io.bulwark.traffic;

import io.bulwark.kernel.Check;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a {@link Gateway} starts from. Immutable; runtime changes go through the gateway's
 * Java or admin API, and {@link Gateway#config()} returns the current state as a new config.
 *
 * @param bindHost address both listeners bind to (default {@code 127.0.0.1})
 * @param port proxy port; 0 picks a free one
 * @param adminPort admin API port; 0 picks a free one, {@link #ADMIN_DISABLED} turns it off
 * @param pools the pools, in order
 * @param rules steering rules tried in order before weighted balancing
 * @param fallbackPool pool used when the chosen pools have no serving target
 * @param affinity cookie session affinity, if on
 * @param defaultRoute how requests no route matches are handled (its path and overrides other than
 *     timeouts and retries are ignored)
 * @param routes the route table: per-path timeouts, retries, affinity, answer TTL, edge caching and
 *     pool; tried in order, the first match wins
 * @param connectTimeout how long opening an upstream connection may take (default 2 s)
 * @param maxBodyBytes largest request body the gateway buffers (default 10 MiB); answers stream
 *     through unbuffered, at the pace the client reads them
 * @param shutdownGrace how long {@link Gateway#close()} waits for in-flight requests (default 10 s)
 * @param accessLog whether each request is logged to SLF4J logger {@code io.bulwark.traffic.access}
 * @param tls TLS with ALPN (h2, http/1.1) on the proxy port, if on; default off (cleartext HTTP/1.1
 *     and h2c)
 * @param cache the edge cache serving the routes that opt in; off by default
 * @param protection bot protection (rules and per-client rate limits); off by default, and then it
 *     costs nothing per request
 * @param region the region this gateway instance runs in; pools whose health check names {@link
 *     HealthCheck#checkRegions()} are probed only by gateways in those regions. Empty (the
 *     default): this gateway probes every pool itself
 * @param peers admin API base URLs (e.g. {@code http://10.0.1.5:9090}) of the other gateway
 *     instances, asked for target health of the pools this gateway does not probe
 */
public record GatewayConfig(
    String bindHost,
    int port,
    int adminPort,
    List<PoolConfig> pools,
    List<RoutingRule> rules,
    Optional<String> fallbackPool,
    Optional<SessionAffinity> affinity,
    RouteConfig defaultRoute,
    List<RouteConfig> routes,
    Duration connectTimeout,
    int maxBodyBytes,
    Duration shutdownGrace,
    boolean accessLog,
    Optional<TlsConfig> tls,
    Optional<EdgeCache> cache,
    Optional<BotProtection> protection,
    Optional<String> region,
    List<URI> peers) {

  /** {@link #adminPort()} value that turns the admin API off. */
  public static final int ADMIN_DISABLED = -1;

  public GatewayConfig {
    Check.notBlank("bindHost", bindHost);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535 but was " + port);
    }
    if (adminPort < ADMIN_DISABLED || adminPort > 65535) {
      throw new IllegalArgumentException(
          "adminPort must be between 0 and 65535, or -1 to disable, but was " + adminPort);
    }
    pools = List.copyOf(Objects.requireNonNull(pools, "pools"));
    rules = List.copyOf(Objects.requireNonNull(rules, "rules"));
    fallbackPool = Objects.requireNonNullElse(fallbackPool, Optional.empty());
    affinity = Objects.requireNonNullElse(affinity, Optional.empty());
    Objects.requireNonNull(defaultRoute, "defaultRoute");
    routes = List.copyOf(Objects.requireNonNull(routes, "routes"));
    Check.positive("connectTimeout", connectTimeout);
    Check.atLeast("maxBodyBytes", maxBodyBytes, 1024);
    Check.notNegative("shutdownGrace", shutdownGrace);
    tls = Objects.requireNonNullElse(tls, Optional.empty());
    cache = Objects.requireNonNullElse(cache, Optional.empty());
    protection = Objects.requireNonNullElse(protection, Optional.empty());
    region = Objects.requireNonNullElse(region, Optional.empty());
    region.ifPresent(
        r -> {
          if (r.isBlank()) {
            throw new IllegalArgumentException("region must not be blank");
          }
        });
    peers = List.copyOf(Objects.requireNonNull(peers, "peers"));
    for (int i = 0; i < peers.size(); i++) {
      URI peer = peers.get(i);
      if (!"http".equals(peer.getScheme()) || peer.getHost() == null) {
        throw new IllegalArgumentException(
            "peers[" + i + "] must be an http:// admin API URL but was " + peer);
      }
    }
    checkReferences(pools, rules, fallbackPool, routes);
    checkCache(routes, cache);
  }

  private static void checkCache(List<RouteConfig> routes, Optional<EdgeCache> cache) {
    for (int i = 0; i < routes.size(); i++) {
      if (routes.get(i).cache() && cache.isEmpty()) {
        throw new IllegalArgumentException(
            "routes["
                + i
                + "] ("
                + routes.get(i).describe()
                + ") turns caching on, but the gateway has no edge cache configured");
      }
    }
    cache.ifPresent(
        c -> {
          for (int i = 0; i < c.prewarm().size(); i++) {
            String path = c.prewarm().get(i);
            String bare = path.indexOf('?') < 0 ? path : path.substring(0, path.indexOf('?'));
            boolean cached =
                routes.stream().filter(r -> r.matches(bare)).findFirst().stream()
                    .anyMatch(RouteConfig::cache);
            if (!cached) {
              throw new IllegalArgumentException(
                  "cache.prewarm["
                      + i
                      + "]: "
                      + path
                      + " is not on a route with caching on, so warming it would store nothing");
            }
          }
        });
  }

  private static void checkReferences(
      List<PoolConfig> pools,
      List<RoutingRule> rules,
      Optional<String> fallbackPool,
      List<RouteConfig> routes) {
    Set<String> names = new HashSet<>();
    Map<String, String> targetPools = new HashMap<>();
    for (int i = 0; i < pools.size(); i++) {
      PoolConfig pool = pools.get(i);
      if (!names.add(pool.name())) {
        throw new IllegalArgumentException(
            "pools[" + i + "].name: pool \"" + pool.name() + "\" is defined twice");
      }
      for (TargetConfig t : pool.targets()) {
        String other = targetPools.putIfAbsent(t.id(), pool.name());
        if (other != null) {
          throw new IllegalArgumentException(
              "pools["
                  + i
                  + "]: target id \""
                  + t.id()
                  + "\" is already used in pool \""
                  + other
                  + "\"");
        }
      }
    }
    for (int i = 0; i < rules.size(); i++) {
      for (String pool : rules.get(i).pools()) {
        if (!names.contains(pool)) {
          throw new IllegalArgumentException(
              "rules[" + i + "]: unknown pool \"" + pool + "\"; pools are " + names);
        }
      }
    }
    fallbackPool.ifPresent(
        pool -> {
          if (!names.contains(pool)) {
            throw new IllegalArgumentException(
                "fallbackPool: unknown pool \"" + pool + "\"; pools are " + names);
          }
        });
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig route = routes.get(i);
      if (!seen.add(route.match() + " " + route.path())) {
        throw new IllegalArgumentException(
            "routes[" + i + "]: " + route.describe() + " appears twice; the second never matches");
      }
      int index = i;
      route
          .pool()
          .ifPresent(
              pool -> {
                if (!names.contains(pool)) {
                  throw new IllegalArgumentException(
                      "routes["
                          + index
                          + "] ("
                          + route.describe()
                          + "): unknown pool \""
                          + pool
                          + "\"; pools are "
                          + names);
                }
              });
    }
  }

  /** A builder with the defaults named on each component. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding {@code existing}'s values. */
  public static Builder builder(GatewayConfig existing) {
    Builder b = new Builder();
    b.bindHost = existing.bindHost;
    b.port = existing.port;
    b.adminPort = existing.adminPort;
    b.pools.addAll(existing.pools);
    b.rules.addAll(existing.rules);
    b.fallbackPool = existing.fallbackPool;
    b.affinity = existing.affinity;
    b.defaultRoute = existing.defaultRoute;
    b.routes.addAll(existing.routes);
    b.connectTimeout = existing.connectTimeout;
    b.maxBodyBytes = existing.maxBodyBytes;
    b.shutdownGrace = existing.shutdownGrace;
    b.accessLog = existing.accessLog;
    b.tls = existing.tls;
    b.cache = existing.cache;
    b.protection = existing.protection;
    b.region = existing.region;
    b.peers.addAll(existing.peers);
    return b;
  }

  /** The pool named {@code name}, if any. */
  public Optional<PoolConfig> pool(String name) {
    return pools.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** Builds a {@link GatewayConfig}; {@link #build()} checks cross-references. */
  public static final class Builder {
    private String bindHost = "127.0.0.1";
    private int port = 0;
    private int adminPort = ADMIN_DISABLED;
    private final List<PoolConfig> pools = new ArrayList<>();
    private final List<RoutingRule> rules = new ArrayList<>();
    private Optional<String> fallbackPool = Optional.empty();
    private Optional<SessionAffinity> affinity = Optional.empty();
    private RouteConfig defaultRoute = RouteConfig.defaults();
    private final List<RouteConfig> routes = new ArrayList<>();
    private Duration connectTimeout = Duration.ofSeconds(2);
    private int maxBodyBytes = 10 * 1024 * 1024;
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private boolean accessLog = true;
    private Optional<TlsConfig> tls = Optional.empty();
    private Optional<EdgeCache> cache = Optional.empty();
    private Optional<BotProtection> protection = Optional.empty();
    private Optional<String> region = Optional.empty();
    private final List<URI> peers = new ArrayList<>();

    private Builder() {}

    public Builder bindHost(String bindHost) {
      this.bindHost = bindHost;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder adminPort(int adminPort) {
      this.adminPort = adminPort;
      return this;
    }

    public Builder pool(PoolConfig pool) {
      pools.add(Objects.requireNonNull(pool, "pool"));
      return this;
    }

    public Builder pools(List<PoolConfig> pools) {
      this.pools.clear();
      this.pools.addAll(pools);
      return this;
    }

    public Builder rule(RoutingRule rule) {
      rules.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    public Builder fallbackPool(String pool) {
      this.fallbackPool = Optional.of(pool);
      return this;
    }

    public Builder affinity(SessionAffinity affinity) {
      this.affinity = Optional.of(affinity);
      return this;
    }

    public Builder defaultRoute(RouteConfig defaultRoute) {
      this.defaultRoute = Objects.requireNonNull(defaultRoute, "defaultRoute");
      return this;
    }

    public Builder route(RouteConfig route) {
      routes.add(Objects.requireNonNull(route, "route"));
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    public Builder maxBodyBytes(int maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    public Builder shutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
      return this;
    }

    public Builder accessLog(boolean accessLog) {
      this.accessLog = accessLog;
      return this;
    }

    /** Turns TLS on for the proxy port (the admin port stays cleartext). */
    public Builder tls(TlsConfig tls) {
      this.tls = Optional.of(Objects.requireNonNull(tls, "tls"));
      return this;
    }

    /** Turns the edge cache on; routes opt in with {@link RouteConfig.Builder#cache(boolean)}. */
    public Builder cache(EdgeCache cache) {
      this.cache = Optional.of(Objects.requireNonNull(cache, "cache"));
      return this;
    }

    /** Turns bot protection on. */
    public Builder protection(BotProtection protection) {
      this.protection = Optional.of(Objects.requireNonNull(protection, "protection"));
      return this;
    }

    /** Sets or clears bot protection. */
    public Builder protection(Optional<BotProtection> protection) {
      this.protection = Objects.requireNonNull(protection, "protection");
      return this;
    }

    /** The region this gateway runs in (see {@link HealthCheck#checkRegions()}). */
    public Builder region(String region) {
      this.region = Optional.of(region);
      return this;
    }

    /** Adds a peer gateway's admin API base URL. */
    public Builder peer(URI adminUrl) {
      peers.add(Objects.requireNonNull(adminUrl, "peer"));
      return this;
    }

    public GatewayConfig build() {
      return new GatewayConfig(
          bindHost,
          port,
          adminPort,
          pools,
          rules,
          fallbackPool,
          affinity,
          defaultRoute,
          routes,
          connectTimeout,
          maxBodyBytes,
          shutdownGrace,
          accessLog,
          tls,
          cache,
          protection,
          region,
          peers);
    }
  }
}
