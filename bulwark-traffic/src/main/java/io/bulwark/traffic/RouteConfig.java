package io.bulwark.traffic;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One row of the gateway's route table: which requests it matches (by path) and how they are
 * handled. Routes are tried in the order given and the first match wins; requests no route matches
 * get {@link GatewayConfig#defaultRoute()}. This is the seed's load-balancer rule with overrides
 * ({@code condition = "http.request.uri.path contains \"/health\""}, {@code session_affinity =
 * "none"}, {@code ttl = 30}), generalised: {@code RouteConfig.containing("/health").noAffinity()
 * .ttl(Duration.ofSeconds(30)).build()}.
 *
 * @param path the path prefix, or the text the path must contain, depending on {@code match}
 * @param match how {@code path} is compared with the request's path (the query string excluded)
 * @param timeout how long one attempt waits for the upstream's complete response (default 30 s)
 * @param maxRetries how many more attempts, each on another target where one exists, a safe request
 *     gets after a connection failure, reset, timeout or one of {@code retryOnStatuses}; a request
 *     is safe when its method is idempotent (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) or it carries
 *     an {@code Idempotency-Key} header. Any request is retried when the connection to the target
 *     could not be opened, since nothing was sent. Default 2.
 * @param retryOnStatuses upstream statuses that count as a failed attempt (default 502, 503, 504)
 * @param affinity whether the gateway's cookie affinity applies on this route (default {@link
 *     Affinity#INHERIT}); with {@link Affinity#NONE} requests are balanced afresh and get no cookie
 * @param ttl how long clients (and the edge cache) may reuse an answer that says nothing about it:
 *     a GET or HEAD answer with a heuristically cacheable status (RFC 9110 15.1) and no {@code
 *     Cache-Control} of its own gets {@code Cache-Control: max-age=<ttl>}. This is the seed's rule
 *     {@code ttl}: the lifetime of the answer a client got. Empty (the default) leaves answers
 *     alone.
 * @param cache whether the gateway's edge cache serves this route (default false); needs {@link
 *     GatewayConfig#cache()}
 * @param pool a pool every request on this route goes to (ahead of the steering rules), falling
 *     back like a rule's pool when it has no serving target; empty by default
 */
public record RouteConfig(
    String path,
    Match match,
    Duration timeout,
    int maxRetries,
    Set<Integer> retryOnStatuses,
    Affinity affinity,
    Optional<Duration> ttl,
    boolean cache,
    Optional<String> pool) {

  /** How a route's path is compared with the request's. */
  public enum Match {
    /** The request path starts with the route's path. */
    PREFIX,
    /** The request path contains the route's path anywhere. */
    CONTAINS
  }

  /** Cookie affinity on a route. */
  public enum Affinity {
    /** As the gateway is configured. */
    INHERIT,
    /** None: balanced per request, no cookie set or honoured. */
    NONE
  }

  public RouteConfig {
    Objects.requireNonNull(match, "route.match");
    if (match == Match.PREFIX && (path == null || !path.startsWith("/"))) {
      throw new IllegalArgumentException(
          "route.path: a prefix must start with '/' but was " + quoted(path));
    }
    if (match == Match.CONTAINS && (path == null || path.isEmpty())) {
      throw new IllegalArgumentException("route.path: the text to look for must not be empty");
    }
    String name = describe(path, match);
    Check.positive(name + ": timeout", timeout);
    if (maxRetries < 0 || maxRetries > 10) {
      throw new IllegalArgumentException(
          name + ": maxRetries must be between 0 and 10 but was " + maxRetries);
    }
    retryOnStatuses = Set.copyOf(Objects.requireNonNull(retryOnStatuses, "retryOnStatuses"));
    for (int s : retryOnStatuses) {
      if (s < 500 || s > 599) {
        throw new IllegalArgumentException(
            name + ": retryOnStatuses must be 5xx statuses but held " + s);
      }
    }
    Objects.requireNonNull(affinity, name + ": affinity");
    ttl = Objects.requireNonNullElse(ttl, Optional.empty());
    ttl.ifPresent(
        t -> {
          if (t.toSeconds() < 1) {
            throw new IllegalArgumentException(name + ": ttl must be >= 1s but was " + t);
          }
        });
    pool = Objects.requireNonNullElse(pool, Optional.empty());
    pool.ifPresent(
        p -> {
          if (p.isBlank()) {
            throw new IllegalArgumentException(name + ": pool must not be blank");
          }
        });
  }

  /** The default route: every path, 30 s per attempt, 2 retries on 502/503/504. */
  public static RouteConfig defaults() {
    return of("/", Duration.ofSeconds(30), 2);
  }

  /** A prefix route retrying on 502/503/504, otherwise with the defaults. */
  public static RouteConfig of(String pathPrefix, Duration timeout, int maxRetries) {
    return prefix(pathPrefix).timeout(timeout).maxRetries(maxRetries).build();
  }

  /** A builder for a route matching paths that start with {@code pathPrefix}. */
  public static Builder prefix(String pathPrefix) {
    return new Builder(pathPrefix, Match.PREFIX);
  }

  /** A builder for a route matching paths that contain {@code text}. */
  public static Builder containing(String text) {
    return new Builder(text, Match.CONTAINS);
  }

  /** Whether this route matches the request path {@code requestPath} (no query string). */
  public boolean matches(String requestPath) {
    return match == Match.PREFIX ? requestPath.startsWith(path) : requestPath.contains(path);
  }

  /** The route as a user would name it: {@code route /api} or {@code route *health*}. */
  public String describe() {
    return describe(path, match);
  }

  private static String describe(String path, Match match) {
    return "route " + (match == Match.PREFIX ? path : "*" + path + "*");
  }

  private static String quoted(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  /** Builds a {@link RouteConfig}; starts from the defaults named on each component. */
  public static final class Builder {
    private final String path;
    private final Match match;
    private Duration timeout = Duration.ofSeconds(30);
    private int maxRetries = 2;
    private Set<Integer> retryOnStatuses = Set.of(502, 503, 504);
    private Affinity affinity = Affinity.INHERIT;
    private Optional<Duration> ttl = Optional.empty();
    private boolean cache;
    private Optional<String> pool = Optional.empty();

    private Builder(String path, Match match) {
      this.path = path;
      this.match = match;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    public Builder retryOnStatuses(Set<Integer> statuses) {
      this.retryOnStatuses = statuses;
      return this;
    }

    /** No cookie affinity on this route. */
    public Builder noAffinity() {
      this.affinity = Affinity.NONE;
      return this;
    }

    public Builder affinity(Affinity affinity) {
      this.affinity = affinity;
      return this;
    }

    public Builder ttl(Duration ttl) {
      this.ttl = Optional.of(ttl);
      return this;
    }

    /** Serves this route through the gateway's edge cache. */
    public Builder cache(boolean cache) {
      this.cache = cache;
      return this;
    }

    public Builder pool(String pool) {
      this.pool = Optional.of(pool);
      return this;
    }

    public RouteConfig build() {
      return new RouteConfig(
          path, match, timeout, maxRetries, retryOnStatuses, affinity, ttl, cache, pool);
    }
  }
}
