package io.bulwark.topology;

import io.bulwark.kernel.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Traffic pools and routing rules (the seed's global load balancer and Istio routes).
 *
 * @param pools origin pools with weights adding up to 100
 * @param geo geo steering rules, first match wins
 * @param headers header rules, checked before weights
 * @param affinity session affinity
 * @param fallbackPool pool used when every other pool is down
 * @param monitor pool health monitor (the profile's defaults when the file has none)
 * @param monitorGiven whether the file has a {@code monitor} section; when it does, the gateway's
 *     pool health checks follow it instead of each service's own check
 * @param routes the gateway's route table, first match wins
 * @param cache the gateway's edge cache, if the file turns it on
 * @param protection the gateway's bot protection, if the file turns it on
 */
public record Traffic(
    List<Pool> pools,
    List<GeoRule> geo,
    List<HeaderRule> headers,
    Affinity affinity,
    Optional<String> fallbackPool,
    Monitor monitor,
    boolean monitorGiven,
    List<Route> routes,
    Optional<Cache> cache,
    Optional<Protection> protection) {

  public Traffic {
    pools = List.copyOf(pools);
    geo = List.copyOf(geo);
    headers = List.copyOf(headers);
    Objects.requireNonNull(affinity, "affinity");
    Objects.requireNonNull(fallbackPool, "fallbackPool");
    Objects.requireNonNull(monitor, "monitor");
    routes = List.copyOf(routes);
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(protection, "protection");
    if (pools.isEmpty()) {
      throw new IllegalArgumentException("traffic needs at least one pool, got none");
    }
    int sum = pools.stream().mapToInt(Pool::weight).sum();
    if (sum != 100) {
      throw new IllegalArgumentException(
          "pool weights must add up to 100, got "
              + sum
              + " ("
              + String.join(" + ", pools.stream().map(p -> p.name() + " " + p.weight()).toList())
              + ")");
    }
  }

  /**
   * An origin pool: the instances of one service in one region.
   *
   * @param name pool name
   * @param region region whose instances form the pool
   * @param service entry service the pool sends to
   * @param weight share of traffic in percent
   */
  public record Pool(String name, String region, String service, int weight) {
    public Pool {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(service, "service");
      if (weight < 0 || weight > 100) {
        throw new IllegalArgumentException("weight must be between 0 and 100, got " + weight);
      }
    }
  }

  /** Requests from client region {@code match} (e.g. ENAM) go to {@code pool}. */
  public record GeoRule(String match, String pool) {}

  /** Requests whose {@code header} equals {@code value} go to {@code pool}. */
  public record HeaderRule(String header, String value, String pool) {}

  /** Cookie session affinity with a lifetime; {@code cookie} false means none. */
  public record Affinity(boolean cookie, Duration ttl) {
    public Affinity {
      Objects.requireNonNull(ttl, "ttl");
    }
  }

  /**
   * Pool health monitor.
   *
   * @param path path probed
   * @param interval time between probes
   * @param timeout probe timeout
   * @param retries failed probes before a pool counts as down
   * @param expectedCodes healthy status, e.g. 200 or 2xx
   * @param checkRegions regions whose gateway instances probe the pools; the others ask them.
   *     Empty: every gateway probes
   */
  public record Monitor(
      String path,
      Duration interval,
      Duration timeout,
      int retries,
      String expectedCodes,
      List<String> checkRegions) {
    public Monitor {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(expectedCodes, "expectedCodes");
      checkRegions = List.copyOf(checkRegions);
      Service.HealthCheck.requireShorter(timeout, interval);
    }

    /** A monitor probed from every gateway. */
    public Monitor(
        String path, Duration interval, Duration timeout, int retries, String expectedCodes) {
      this(path, interval, timeout, retries, expectedCodes, List.of());
    }

    /** Time until a dead pool is taken out: retries × interval. */
    public Duration detectionTime() {
      return interval.multipliedBy(Math.max(1, retries));
    }
  }

  /**
   * One row of the gateway's route table: requests whose path starts with {@code pathPrefix} or
   * contains {@code pathContains} (exactly one is set) get these overrides; the first match wins.
   *
   * @param noAffinity no session affinity on this route (the seed's {@code session_affinity =
   *     "none"})
   * @param ttl how long clients may reuse an answer that states no lifetime of its own
   * @param cache the gateway's edge cache serves this route
   * @param pool a pool this route's requests go to
   * @param timeout one attempt's limit (default: the gateway's)
   * @param retries further attempts of a safe request (default: the gateway's)
   */
  public record Route(
      Optional<String> pathPrefix,
      Optional<String> pathContains,
      boolean noAffinity,
      Optional<Duration> ttl,
      boolean cache,
      Optional<String> pool,
      Optional<Duration> timeout,
      Optional<Integer> retries) {
    public Route {
      Objects.requireNonNull(pathPrefix, "pathPrefix");
      Objects.requireNonNull(pathContains, "pathContains");
      if (pathPrefix.isPresent() == pathContains.isPresent()) {
        throw new IllegalArgumentException(
            "a route matches by path-prefix or by path-contains, give exactly one, got "
                + (pathPrefix.isPresent() ? "both" : "neither"));
      }
      Objects.requireNonNull(ttl, "ttl");
      ttl.ifPresent(t -> requireAtLeastASecond("ttl", t));
      Objects.requireNonNull(pool, "pool");
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(retries, "retries");
    }

    /** How the route is written: {@code path-prefix /api} or {@code path-contains /health}. */
    public String describe() {
      return pathPrefix
          .map(p -> "path-prefix " + p)
          .orElseGet(() -> "path-contains " + pathContains.get());
    }
  }

  /**
   * The gateway's edge cache.
   *
   * @param maxBytes memory for stored answers
   * @param maxEntryBytes the largest answer stored
   * @param prewarm paths fetched through the gateway at start
   * @param prewarmTimeout how long pre-warming retries while no target serves yet
   */
  public record Cache(
      long maxBytes, long maxEntryBytes, List<String> prewarm, Duration prewarmTimeout) {
    public Cache {
      if (maxEntryBytes > maxBytes) {
        throw new IllegalArgumentException(
            "max-entry-size must not exceed max-size ("
                + maxBytes
                + " bytes), got "
                + maxEntryBytes
                + " bytes");
      }
      prewarm = List.copyOf(prewarm);
      Objects.requireNonNull(prewarmTimeout, "prewarmTimeout");
    }
  }

  /**
   * The gateway's bot protection.
   *
   * @param rules allow, deny and challenge rules, first match decides
   * @param rateLimits per-client token buckets
   * @param challengeDifficulty leading zero bits a challenge's proof of work needs
   * @param challengeTtl how long a solved challenge lets its client through
   * @param maxClients buckets kept per rate limit
   */
  public record Protection(
      List<BotRule> rules,
      List<RateLimit> rateLimits,
      int challengeDifficulty,
      Duration challengeTtl,
      int maxClients) {
    public Protection {
      rules = List.copyOf(rules);
      rateLimits = List.copyOf(rateLimits);
      Objects.requireNonNull(challengeTtl, "challengeTtl");
    }
  }

  /**
   * A bot rule: when every condition given holds, {@code action} (allow, deny, challenge) decides.
   *
   * @param path the request path starts with this
   * @param userAgent regular expression found in the User-Agent
   * @param header header name and regular expression found in its value
   * @param client address block of the client, e.g. 203.0.113.0/24
   */
  public record BotRule(
      String name,
      String action,
      Optional<String> path,
      Optional<String> userAgent,
      Optional<HeaderMatch> header,
      Optional<String> client) {
    public BotRule {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(userAgent, "userAgent");
      Objects.requireNonNull(header, "header");
      Objects.requireNonNull(client, "client");
    }
  }

  /** Header {@code name} whose value matches regular expression {@code pattern}. */
  public record HeaderMatch(String name, String pattern) {}

  /**
   * A per-client rate limit.
   *
   * @param key {@code ip} or {@code header:<name>}
   * @param ratePerSecond tokens added per second
   * @param burst bucket size
   * @param path only requests under this prefix count
   */
  public record RateLimit(
      String name, String key, double ratePerSecond, int burst, Optional<String> path) {
    public RateLimit {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(path, "path");
    }
  }

  private static void requireAtLeastASecond(String what, Duration d) {
    if (d.toSeconds() < 1) {
      throw new IllegalArgumentException(what + " must be at least 1s, got " + Durations.format(d));
    }
  }
}
