package io.bulwark.fleet;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An instance group's shape and timings.
 *
 * @param name group (service) name; instance ids are {@code name-N}
 * @param min fewest instances (>= 0)
 * @param max most instances (>= min, >= 1)
 * @param desired instances normally in service, within [min, max]
 * @param zones zones to spread over, evenly, in order (earlier zones take the remainder)
 * @param perRegion fixed instance counts for some regions (the rest of {@code desired} spreads
 *     evenly over the other regions' zones), like a federation placing 3/2/1
 * @param gracePeriod after launch, how long failed health checks do not count, and how long an
 *     instance may take to become ready before it is replaced (cloud 300 s)
 * @param warmUp how long a new instance must have served before a rolling refresh counts it as
 *     healthy capacity (cloud 300 s)
 * @param deregistrationDelay how long a deregistered instance may finish requests before it is
 *     stopped (cloud 30 s)
 * @param minHealthyPercent share of {@code desired} a rolling refresh keeps in service (cloud 50)
 * @param healthCheckInterval time between health checks of an in-service instance
 * @param unhealthyThreshold failed checks in a row that make an instance unhealthy
 * @param stopGrace how long a stopping instance may take to exit before it is killed
 * @param zoneRetryAfter how long a zone that refused a launch is skipped
 */
public record GroupConfig(
    String name,
    int min,
    int max,
    int desired,
    List<Zone> zones,
    Map<String, Integer> perRegion,
    Duration gracePeriod,
    Duration warmUp,
    Duration deregistrationDelay,
    int minHealthyPercent,
    Duration healthCheckInterval,
    int unhealthyThreshold,
    Duration stopGrace,
    Duration zoneRetryAfter) {

  public GroupConfig {
    if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "name must be 1-64 letters, digits, '.', '_' or '-' but was \"" + name + "\"");
    }
    checkSize(min, max, desired);
    zones = List.copyOf(Objects.requireNonNull(zones, "zones"));
    if (zones.isEmpty()) {
      throw new IllegalArgumentException("zones must not be empty");
    }
    if (new HashSet<>(zones).size() != zones.size()) {
      throw new IllegalArgumentException("zones must be unique but were " + zones);
    }
    perRegion = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perRegion));
    for (var e : perRegion.entrySet()) {
      Check.notNegative("perRegion." + e.getKey(), (int) e.getValue());
      if (zones.stream().noneMatch(z -> z.region().equals(e.getKey()))) {
        throw new IllegalArgumentException(
            "perRegion names region " + e.getKey() + " but no zone is in it; zones are " + zones);
      }
    }
    Check.positive("gracePeriod", gracePeriod);
    Check.notNegative("warmUp", warmUp);
    Check.notNegative("deregistrationDelay", deregistrationDelay);
    if (minHealthyPercent < 0 || minHealthyPercent > 100) {
      throw new IllegalArgumentException(
          "minHealthyPercent must be between 0 and 100 but was " + minHealthyPercent);
    }
    Check.positive("healthCheckInterval", healthCheckInterval);
    Check.positive("unhealthyThreshold", unhealthyThreshold);
    Check.notNegative("stopGrace", stopGrace);
    Check.positive("zoneRetryAfter", zoneRetryAfter);
  }

  static void checkSize(int min, int max, int desired) {
    Check.notNegative("min", min);
    Check.positive("max", max);
    Check.atLeast("max", max, "min", min);
    if (desired < min || desired > max) {
      throw new IllegalArgumentException(
          "desired must be between min (" + min + ") and max (" + max + ") but was " + desired);
    }
  }

  /**
   * A builder with the local profile's timings: grace 5 s, warm-up 1 s, deregistration delay 2 s,
   * min healthy 50%, checks every 1 s with threshold 2, stop grace 3 s, zone retry 30 s.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds a {@link GroupConfig}; the record checks every value. */
  public static final class Builder {
    private final String name;
    private int min = 1;
    private int max = 1;
    private int desired = 1;
    private final List<Zone> zones = new ArrayList<>();
    private final Map<String, Integer> perRegion = new LinkedHashMap<>();
    private Duration gracePeriod = Duration.ofSeconds(5);
    private Duration warmUp = Duration.ofSeconds(1);
    private Duration deregistrationDelay = Duration.ofSeconds(2);
    private int minHealthyPercent = 50;
    private Duration healthCheckInterval = Duration.ofSeconds(1);
    private int unhealthyThreshold = 2;
    private Duration stopGrace = Duration.ofSeconds(3);
    private Duration zoneRetryAfter = Duration.ofSeconds(30);

    private Builder(String name) {
      this.name = name;
    }

    /** Sets min, max and desired together. */
    public Builder size(int min, int max, int desired) {
      checkSize(min, max, desired);
      this.min = min;
      this.max = max;
      this.desired = desired;
      return this;
    }

    public Builder zone(Zone zone) {
      zones.add(Objects.requireNonNull(zone, "zone"));
      return this;
    }

    public Builder zones(List<Zone> zones) {
      this.zones.clear();
      this.zones.addAll(zones);
      return this;
    }

    public Builder perRegion(String region, int count) {
      perRegion.put(Objects.requireNonNull(region, "region"), count);
      return this;
    }

    public Builder gracePeriod(Duration gracePeriod) {
      this.gracePeriod = gracePeriod;
      return this;
    }

    public Builder warmUp(Duration warmUp) {
      this.warmUp = warmUp;
      return this;
    }

    public Builder deregistrationDelay(Duration deregistrationDelay) {
      this.deregistrationDelay = deregistrationDelay;
      return this;
    }

    public Builder minHealthyPercent(int minHealthyPercent) {
      this.minHealthyPercent = minHealthyPercent;
      return this;
    }

    public Builder healthCheckInterval(Duration healthCheckInterval) {
      this.healthCheckInterval = healthCheckInterval;
      return this;
    }

    public Builder unhealthyThreshold(int unhealthyThreshold) {
      this.unhealthyThreshold = unhealthyThreshold;
      return this;
    }

    public Builder stopGrace(Duration stopGrace) {
      this.stopGrace = stopGrace;
      return this;
    }

    public Builder zoneRetryAfter(Duration zoneRetryAfter) {
      this.zoneRetryAfter = zoneRetryAfter;
      return this;
    }

    public GroupConfig build() {
      return new GroupConfig(
          name,
          min,
          max,
          desired,
          zones,
          perRegion,
          gracePeriod,
          warmUp,
          deregistrationDelay,
          minHealthyPercent,
          healthCheckInterval,
          unhealthyThreshold,
          stopGrace,
          zoneRetryAfter);
    }
  }
}
