package io.bulwark.topology;

import io.bulwark.kernel.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A service and its instance group.
 *
 * @param name service name
 * @param kind app, cache, queue or external
 * @param stateful whether the instances keep session state (a compute-layer SPOF)
 * @param availability known availability of one instance (of the whole service when external)
 * @param instances group size; {@link Instances#NONE} for an external service
 * @param placement where instances run
 * @param healthCheck load balancer health check
 * @param rollout grace period, warm-up, draining and rolling refresh
 * @param dependsOn services this one calls
 */
public record Service(
    String name,
    Kind kind,
    boolean stateful,
    OptionalDouble availability,
    Instances instances,
    Placement placement,
    HealthCheck healthCheck,
    Rollout rollout,
    List<Dependency> dependsOn) {

  public Service {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(availability, "availability");
    Objects.requireNonNull(instances, "instances");
    Objects.requireNonNull(placement, "placement");
    Objects.requireNonNull(healthCheck, "healthCheck");
    Objects.requireNonNull(rollout, "rollout");
    dependsOn = List.copyOf(dependsOn);
    Percentages.check("availability", availability);
    if (kind == Kind.EXTERNAL && instances.desired() > 0) {
      throw new IllegalArgumentException(
          "an external service has no instances here, got desired " + instances.desired());
    }
    if (kind != Kind.EXTERNAL && instances.desired() < 1) {
      throw new IllegalArgumentException(
          "desired must be >= 1 for a service Bulwark runs, got " + instances.desired());
    }
  }

  /** Whether Bulwark runs instances of it (everything but external services). */
  public boolean runsHere() {
    return kind != Kind.EXTERNAL;
  }

  /** A builder with the given profile's defaults. */
  public static Builder builder(String name, Profile profile) {
    return new Builder(name, profile);
  }

  /** Builds a {@link Service}; each setter checks its own value. */
  public static final class Builder {
    private final String name;
    private Kind kind = Kind.APP;
    private boolean stateful;
    private OptionalDouble availability = OptionalDouble.empty();
    private Instances instances = Instances.of(1, 1, 1);
    private Placement placement = Placement.everywhere();
    private HealthCheck healthCheck;
    private Rollout rollout;
    private final List<Dependency> dependsOn = new ArrayList<>();

    private Builder(String name, Profile profile) {
      this.name = Objects.requireNonNull(name, "name");
      this.healthCheck = HealthCheck.defaults(profile);
      this.rollout = Rollout.defaults(profile);
    }

    public Builder kind(Kind kind) {
      this.kind = Objects.requireNonNull(kind, "kind");
      if (kind == Kind.EXTERNAL) {
        instances = Instances.NONE;
      }
      return this;
    }

    public Builder stateful(boolean stateful) {
      this.stateful = stateful;
      return this;
    }

    public Builder availability(double percent) {
      this.availability = OptionalDouble.of(Percentages.check("availability", percent));
      return this;
    }

    public Builder instances(Instances instances) {
      this.instances = Objects.requireNonNull(instances, "instances");
      return this;
    }

    public Builder placement(Placement placement) {
      this.placement = Objects.requireNonNull(placement, "placement");
      return this;
    }

    public Builder healthCheck(HealthCheck healthCheck) {
      this.healthCheck = Objects.requireNonNull(healthCheck, "healthCheck");
      return this;
    }

    public Builder rollout(Rollout rollout) {
      this.rollout = Objects.requireNonNull(rollout, "rollout");
      return this;
    }

    public Builder dependsOn(Dependency dependency) {
      dependsOn.add(Objects.requireNonNull(dependency, "dependency"));
      return this;
    }

    public Service build() {
      return new Service(
          name,
          kind,
          stateful,
          availability,
          instances,
          placement,
          healthCheck,
          rollout,
          dependsOn);
    }
  }

  /** What sort of service an entry in {@code services} is. */
  public enum Kind {
    /** An application service run by Bulwark. */
    APP,
    /** A cache (callers should fall back when it is down). */
    CACHE,
    /** A message queue or broker. */
    QUEUE,
    /** Run by someone else (payment provider, SaaS API); has no instances here. */
    EXTERNAL
  }

  /**
   * Size of an instance group.
   *
   * @param min fewest instances (>= 0)
   * @param max most instances (>= 1 and >= min)
   * @param desired instances normally running over all regions, within [min, max]
   */
  public record Instances(int min, int max, int desired) {

    /** No instances: what an external service has. */
    public static final Instances NONE = new Instances(0, 1, 0);

    public Instances {
      if (min < 0) {
        throw new IllegalArgumentException("min must be >= 0, got " + min);
      }
      if (max < 1) {
        throw new IllegalArgumentException("max must be >= 1, got " + max);
      }
      if (max < min) {
        throw new IllegalArgumentException("max must be >= min (" + min + "), got " + max);
      }
      if (desired < min || desired > max) {
        throw new IllegalArgumentException(
            "desired must be between min (" + min + ") and max (" + max + "), got " + desired);
      }
    }

    /** A group of {@code min}..{@code max} instances normally running {@code desired}. */
    public static Instances of(int min, int max, int desired) {
      return new Instances(min, max, desired);
    }
  }

  /**
   * Where a service's instances run. Instances are spread evenly over the placement regions (or as
   * {@code perRegion} says, like the seed's federated 6 replicas = 3/2/1), then evenly over the
   * zones of each region.
   *
   * @param regions regions to place in; empty means every primary/active region, or the keys of
   *     {@code perRegion} when given
   * @param zones zones to restrict to; empty means every zone of each region
   * @param perRegion running instances per region, overriding the even spread; 0 keeps a stopped
   *     (pilot light) footprint in the region
   */
  public record Placement(
      List<String> regions, List<String> zones, Map<String, Integer> perRegion) {

    /**
     * The seed's {@code min_az_count}: without named zones a service spreads over {@code
     * min(len(azs), max(MIN_ZONE_COUNT, 3))} zones of each region, so between two and three when
     * the region has them.
     */
    public static final int MIN_ZONE_COUNT = 2;

    public Placement {
      regions = List.copyOf(regions);
      zones = List.copyOf(zones);
      perRegion = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perRegion));
      perRegion.forEach(
          (region, n) -> {
            if (n < 0) {
              throw new IllegalArgumentException(
                  "per-region count for " + region + " must be >= 0, got " + n);
            }
          });
    }

    /** Even spread over every primary/active region and up to three zones of each. */
    public static Placement everywhere() {
      return new Placement(List.of(), List.of(), Map.of());
    }
  }

  /**
   * Load balancer health check of a service as the file describes it (the seed's target group
   * check); {@code bulwark up} turns it into the gateway's {@code io.bulwark.traffic.HealthCheck}.
   *
   * @param path HTTP path probed, default {@code /health}
   * @param interval time between probes (cloud 30 s)
   * @param timeout probe timeout (cloud 5 s), shorter than {@code interval}
   * @param healthyThreshold passes before healthy (2)
   * @param unhealthyThreshold failures before unhealthy (2)
   * @param matcher expected status, default {@code 200}
   * @param livenessPath the path whose failures make the instance group replace an instance in
   *     service (Kubernetes' liveness probe), when it differs from {@code path}: an instance whose
   *     readiness fails because a dependency every instance shares is down (the database during a
   *     failover) leaves the gateway's rotation but is not replaced, as replacing it cannot help.
   *     Empty: {@code path} decides both
   */
  public record HealthCheck(
      String path,
      Duration interval,
      Duration timeout,
      int healthyThreshold,
      int unhealthyThreshold,
      String matcher,
      Optional<String> livenessPath) {

    public HealthCheck {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(matcher, "matcher");
      Objects.requireNonNull(livenessPath, "livenessPath");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path must start with /, got \"" + path + "\"");
      }
      if (livenessPath.isPresent() && !livenessPath.get().startsWith("/")) {
        throw new IllegalArgumentException(
            "liveness-path must start with /, got \"" + livenessPath.get() + "\"");
      }
      if (interval.isZero() || interval.isNegative()) {
        throw new IllegalArgumentException("interval must be positive, got " + interval);
      }
      requireShorter(timeout, interval);
      if (healthyThreshold < 1 || unhealthyThreshold < 1) {
        throw new IllegalArgumentException(
            "thresholds must be >= 1, got " + healthyThreshold + "/" + unhealthyThreshold);
      }
    }

    /** A check whose {@code path} also decides replacement. */
    public HealthCheck(
        String path,
        Duration interval,
        Duration timeout,
        int healthyThreshold,
        int unhealthyThreshold,
        String matcher) {
      this(
          path, interval, timeout, healthyThreshold, unhealthyThreshold, matcher, Optional.empty());
    }

    /** The profile's check on {@code /health}. */
    public static HealthCheck defaults(Profile profile) {
      return new HealthCheck(
          "/health",
          profile.healthInterval(),
          profile.healthTimeout(),
          Profile.HEALTHY_THRESHOLD,
          Profile.UNHEALTHY_THRESHOLD,
          "200");
    }

    /** A probe must time out before the next one starts; also checks a traffic monitor. */
    static void requireShorter(Duration timeout, Duration interval) {
      if (timeout.compareTo(interval) >= 0) {
        throw new IllegalArgumentException(
            "timeout must be shorter than the interval ("
                + Durations.format(interval)
                + "), got "
                + Durations.format(timeout));
      }
    }

    /** How long a dead instance keeps receiving traffic: unhealthy threshold × interval. */
    public Duration detectionTime() {
      return interval.multipliedBy(unhealthyThreshold);
    }
  }

  /**
   * How instances join and are replaced.
   *
   * @param gracePeriod health check grace after an instance starts (cloud 300 s)
   * @param warmUp instance warm-up during a rolling refresh (cloud 300 s)
   * @param deregistrationDelay connection draining before an instance leaves (cloud 30 s)
   * @param minHealthyPercent share kept healthy during a rolling refresh (50)
   */
  public record Rollout(
      Duration gracePeriod, Duration warmUp, Duration deregistrationDelay, int minHealthyPercent) {

    public Rollout {
      Objects.requireNonNull(gracePeriod, "gracePeriod");
      Objects.requireNonNull(warmUp, "warmUp");
      Objects.requireNonNull(deregistrationDelay, "deregistrationDelay");
      if (minHealthyPercent < 0 || minHealthyPercent > 100) {
        throw new IllegalArgumentException(
            "minHealthyPercent must be between 0 and 100, got " + minHealthyPercent);
      }
    }

    /** The profile's values. */
    public static Rollout defaults(Profile profile) {
      return new Rollout(
          profile.gracePeriod(),
          profile.warmUp(),
          profile.deregistrationDelay(),
          Profile.MIN_HEALTHY_PERCENT);
    }
  }

  /**
   * A call from one service to another.
   *
   * @param service the service called
   * @param async true when the call goes through a queue, so the caller does not wait for it
   * @param circuitBreaker whether calls go through a circuit breaker
   * @param fallback whether the caller degrades gracefully when the callee is down
   * @param address a fixed {@code host:port}, which makes it a hard-coded dependency
   */
  public record Dependency(
      String service,
      boolean async,
      boolean circuitBreaker,
      boolean fallback,
      Optional<String> address) {

    public Dependency {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(address, "address");
    }

    /** A plain synchronous call without protection. */
    public static Dependency sync(String service) {
      return new Dependency(service, false, false, false, Optional.empty());
    }

    /** Whether an outage of the callee takes the caller down: synchronous and without fallback. */
    public boolean critical() {
      return !async && !fallback;
    }
  }
}
