package io.bulwark.topology;

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
 * @param monitor pool health monitor
 */
public record Traffic(
    List<Pool> pools,
    List<GeoRule> geo,
    List<HeaderRule> headers,
    Affinity affinity,
    Optional<String> fallbackPool,
    Monitor monitor) {

  public Traffic {
    pools = List.copyOf(pools);
    geo = List.copyOf(geo);
    headers = List.copyOf(headers);
    Objects.requireNonNull(affinity, "affinity");
    Objects.requireNonNull(fallbackPool, "fallbackPool");
    Objects.requireNonNull(monitor, "monitor");
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
   */
  public record Monitor(
      String path, Duration interval, Duration timeout, int retries, String expectedCodes) {
    public Monitor {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(expectedCodes, "expectedCodes");
      Service.HealthCheck.requireShorter(timeout, interval);
    }

    /** Time until a dead pool is taken out: retries × interval. */
    public Duration detectionTime() {
      return interval.multipliedBy(Math.max(1, retries));
    }
  }
}
