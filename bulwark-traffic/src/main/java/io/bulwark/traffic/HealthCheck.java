package io.bulwark.traffic;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Active health check of every target in a pool: an HTTP {@code GET path} on a fresh connection
 * every {@code interval}; a target turns unhealthy after {@code unhealthyThreshold} consecutive
 * failures and healthy again after {@code healthyThreshold} consecutive successes. A check fails
 * when the connection fails, no response arrives within {@code timeout}, or the status is not one
 * of {@code expectedStatuses}.
 *
 * <p>{@code checkRegions} says where the probes come from, as the seed's health monitor does with
 * {@code check_regions}: only gateways whose {@link GatewayConfig#region()} is listed probe the
 * pool; the others take each target's health from those gateways (their {@link
 * GatewayConfig#peers()}), a target being down when most of them say so. Empty (the default): every
 * gateway probes.
 *
 * <p>{@link #defaults()} are the cloud load balancer's values (path {@code /health}, interval 30 s,
 * timeout 5 s, thresholds 2 and 2, status 200, probed from every gateway); {@link #fast()} suits
 * local drills.
 */
public record HealthCheck(
    String path,
    Duration interval,
    Duration timeout,
    int healthyThreshold,
    int unhealthyThreshold,
    Set<Integer> expectedStatuses,
    Set<String> checkRegions) {

  public HealthCheck {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException(
          "healthCheck.path must start with '/' but was " + quoted(path));
    }
    Check.positive("healthCheck.interval", interval);
    Check.positive("healthCheck.timeout", timeout);
    Check.atMost("healthCheck.timeout", timeout, "healthCheck.interval", interval);
    Check.positive("healthCheck.healthyThreshold", healthyThreshold);
    Check.positive("healthCheck.unhealthyThreshold", unhealthyThreshold);
    Objects.requireNonNull(expectedStatuses, "healthCheck.expectedStatuses must not be null");
    if (expectedStatuses.isEmpty()) {
      throw new IllegalArgumentException("healthCheck.expectedStatuses must not be empty");
    }
    for (int status : expectedStatuses) {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException(
            "healthCheck.expectedStatuses must hold HTTP statuses 100..599 but held " + status);
      }
    }
    expectedStatuses = Set.copyOf(expectedStatuses);
    checkRegions = Set.copyOf(Objects.requireNonNull(checkRegions, "healthCheck.checkRegions"));
    for (String region : checkRegions) {
      if (region.isBlank()) {
        throw new IllegalArgumentException("healthCheck.checkRegions must not hold a blank name");
      }
    }
  }

  /** Whether a gateway in {@code region} (empty: it does not know its region) probes itself. */
  public boolean probesFrom(java.util.Optional<String> region) {
    return checkRegions.isEmpty() || region.isEmpty() || checkRegions.contains(region.get());
  }

  /** The cloud profile: {@code /health}, every 30 s, timeout 5 s, thresholds 2/2, status 200. */
  public static HealthCheck defaults() {
    return builder().build();
  }

  /** The local-drill profile: {@code /health}, every 1 s, timeout 500 ms, thresholds 2/2. */
  public static HealthCheck fast() {
    return builder().interval(Duration.ofSeconds(1)).timeout(Duration.ofMillis(500)).build();
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether {@code status} counts as a passing check. */
  public boolean accepts(int status) {
    return expectedStatuses.contains(status);
  }

  private static String quoted(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  /** Builds a {@link HealthCheck}; each setter checks its own value. */
  public static final class Builder {
    private String path = "/health";
    private Duration interval = Duration.ofSeconds(30);
    private Duration timeout = Duration.ofSeconds(5);
    private int healthyThreshold = 2;
    private int unhealthyThreshold = 2;
    private Set<Integer> expectedStatuses = Set.of(200);
    private Set<String> checkRegions = Set.of();

    private Builder() {}

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder interval(Duration interval) {
      this.interval = Check.positive("healthCheck.interval", interval);
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = Check.positive("healthCheck.timeout", timeout);
      return this;
    }

    public Builder healthyThreshold(int healthyThreshold) {
      this.healthyThreshold = Check.positive("healthCheck.healthyThreshold", healthyThreshold);
      return this;
    }

    public Builder unhealthyThreshold(int unhealthyThreshold) {
      this.unhealthyThreshold =
          Check.positive("healthCheck.unhealthyThreshold", unhealthyThreshold);
      return this;
    }

    public Builder expectedStatuses(Set<Integer> expectedStatuses) {
      this.expectedStatuses = expectedStatuses;
      return this;
    }

    /** Only gateways in these regions probe; see {@link HealthCheck}. */
    public Builder checkRegions(Set<String> checkRegions) {
      this.checkRegions = checkRegions;
      return this;
    }

    public HealthCheck build() {
      return new HealthCheck(
          path,
          interval,
          timeout,
          healthyThreshold,
          unhealthyThreshold,
          expectedStatuses,
          checkRegions);
    }
  }
}
