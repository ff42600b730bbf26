package io.bulwark.topology;

import java.time.Duration;

/**
 * Default timings for values a topology file leaves out. {@link #CLOUD} carries the seed's figures
 * (health checks every 30 s, thresholds 2/2, timeout 5 s, stickiness 86400 s, grace 300 s, rolling
 * refresh keeping 50 % healthy with 300 s warm-up); {@link #LOCAL} is fast enough for drills on one
 * machine.
 */
public enum Profile {
  CLOUD(
      Duration.ofSeconds(30),
      Duration.ofSeconds(5),
      Duration.ofSeconds(300),
      Duration.ofSeconds(300),
      Duration.ofSeconds(30),
      Duration.ofSeconds(86_400),
      Duration.ofSeconds(30),
      Duration.ofMinutes(5),
      Duration.ofHours(2),
      Duration.ofSeconds(60),
      Duration.ofMinutes(5),
      Duration.ofMinutes(10)),
  LOCAL(
      Duration.ofSeconds(1),
      Duration.ofMillis(500),
      Duration.ofSeconds(5),
      Duration.ofSeconds(2),
      Duration.ofSeconds(1),
      Duration.ofHours(1),
      Duration.ofSeconds(2),
      Duration.ofSeconds(10),
      Duration.ofMinutes(1),
      Duration.ofSeconds(1),
      Duration.ofSeconds(10),
      Duration.ofSeconds(10));

  /** Health checks pass or fail after this many probes in a row (seed: 2/2). */
  public static final int HEALTHY_THRESHOLD = 2;

  /** See {@link #HEALTHY_THRESHOLD}. */
  public static final int UNHEALTHY_THRESHOLD = 2;

  /** Share of instances kept healthy during a rolling refresh (seed: 50 %). */
  public static final int MIN_HEALTHY_PERCENT = 50;

  /** Failed monitor probes before a pool counts as down (seed's DNS failover: 3). */
  public static final int MONITOR_RETRIES = 3;

  private final Duration healthInterval;
  private final Duration healthTimeout;
  private final Duration gracePeriod;
  private final Duration warmUp;
  private final Duration deregistrationDelay;
  private final Duration stickiness;
  private final Duration fenceTime;
  private final Duration promoteTime;
  private final Duration restoreTime;
  private final Duration trafficSwitchTime;
  private final Duration verifyTime;
  private final Duration externalUpdateTime;

  Profile(
      Duration healthInterval,
      Duration healthTimeout,
      Duration gracePeriod,
      Duration warmUp,
      Duration deregistrationDelay,
      Duration stickiness,
      Duration fenceTime,
      Duration promoteTime,
      Duration restoreTime,
      Duration trafficSwitchTime,
      Duration verifyTime,
      Duration externalUpdateTime) {
    this.healthInterval = healthInterval;
    this.healthTimeout = healthTimeout;
    this.gracePeriod = gracePeriod;
    this.warmUp = warmUp;
    this.deregistrationDelay = deregistrationDelay;
    this.stickiness = stickiness;
    this.fenceTime = fenceTime;
    this.promoteTime = promoteTime;
    this.restoreTime = restoreTime;
    this.trafficSwitchTime = trafficSwitchTime;
    this.verifyTime = verifyTime;
    this.externalUpdateTime = externalUpdateTime;
  }

  /** The word used in files: {@code cloud} or {@code local}. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Time between health probes: cloud 30 s, local 1 s. */
  public Duration healthInterval() {
    return healthInterval;
  }

  /** Health probe timeout: cloud 5 s, local 500 ms. */
  public Duration healthTimeout() {
    return healthTimeout;
  }

  /** Health check grace period after an instance starts: cloud 300 s, local 5 s. */
  public Duration gracePeriod() {
    return gracePeriod;
  }

  /** Instance warm-up during a rolling refresh: cloud 300 s, local 2 s. */
  public Duration warmUp() {
    return warmUp;
  }

  /** Connection draining before an instance leaves a pool: cloud 30 s, local 1 s. */
  public Duration deregistrationDelay() {
    return deregistrationDelay;
  }

  /** Cookie affinity lifetime: cloud 86400 s, local 1 h. */
  public Duration stickiness() {
    return stickiness;
  }

  /** Expected time to fence an old primary. */
  public Duration fenceTime() {
    return fenceTime;
  }

  /** Expected time to promote a replica. */
  public Duration promoteTime() {
    return promoteTime;
  }

  /** Expected time to restore a database from backup. */
  public Duration restoreTime() {
    return restoreTime;
  }

  /** Expected time until a traffic switch takes effect (DNS TTL, gateway reload). */
  public Duration trafficSwitchTime() {
    return trafficSwitchTime;
  }

  /** Expected time to verify a recovered site (seed: 5 minutes). */
  public Duration verifyTime() {
    return verifyTime;
  }

  /**
   * Expected time for the runbook's manual "update external dependencies" step (CDN origin,
   * third-party integrations, dashboards): cloud 10 minutes as in the seed, local 10 s.
   */
  public Duration externalUpdateTime() {
    return externalUpdateTime;
  }
}
