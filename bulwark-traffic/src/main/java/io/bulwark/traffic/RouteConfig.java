package io.bulwark.traffic;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Per-route behaviour, chosen by the longest matching path prefix.
 *
 * @param pathPrefix the request path must start with this (e.g. {@code /api/v1/orders})
 * @param timeout how long one attempt waits for the upstream's complete response
 * @param maxRetries how many more attempts, each on another target where one exists, a safe request
 *     gets after a connection failure, reset, timeout or one of {@code retryOnStatuses}; a request
 *     is safe when its method is idempotent (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) or it carries
 *     an {@code Idempotency-Key} header. Any request is retried when the connection to the target
 *     could not be opened, since nothing was sent.
 * @param retryOnStatuses upstream statuses that count as a failed attempt (default 502, 503, 504)
 */
public record RouteConfig(
    String pathPrefix, Duration timeout, int maxRetries, Set<Integer> retryOnStatuses) {

  public RouteConfig {
    if (pathPrefix == null || !pathPrefix.startsWith("/")) {
      throw new IllegalArgumentException(
          "route.pathPrefix must start with '/' but was \"" + pathPrefix + "\"");
    }
    Check.positive("route " + pathPrefix + ": timeout", timeout);
    if (maxRetries < 0 || maxRetries > 10) {
      throw new IllegalArgumentException(
          "route " + pathPrefix + ": maxRetries must be between 0 and 10 but was " + maxRetries);
    }
    retryOnStatuses = Set.copyOf(Objects.requireNonNull(retryOnStatuses, "retryOnStatuses"));
    for (int s : retryOnStatuses) {
      if (s < 500 || s > 599) {
        throw new IllegalArgumentException(
            "route " + pathPrefix + ": retryOnStatuses must be 5xx statuses but held " + s);
      }
    }
  }

  /** The default route: every path, 30 s per attempt, 2 retries on 502/503/504. */
  public static RouteConfig defaults() {
    return of("/", Duration.ofSeconds(30), 2);
  }

  /** A route retrying on 502/503/504. */
  public static RouteConfig of(String pathPrefix, Duration timeout, int maxRetries) {
    return new RouteConfig(pathPrefix, timeout, maxRetries, Set.of(502, 503, 504));
  }
}
