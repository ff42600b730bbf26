package io.bulwark.traffic;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A pool of targets (an origin pool, a target group): its share of traffic, its targets and how
 * their health is judged. Within a pool a request goes to the serving target with the fewest
 * outstanding requests.
 *
 * @param name unique pool name (letters, digits, {@code . _ -})
 * @param weight relative share of weighted traffic, 0..1000 (0: only rules and fallback reach it)
 * @param enabled a disabled pool gets no traffic at all
 * @param targets the pool's targets; may be empty
 * @param healthCheck the active check, or empty for none (targets then count as healthy)
 * @param outlierDetection passive ejection on failed requests
 * @param deregistrationDelay how long a draining target may finish its in-flight requests before it
 *     is removed anyway (default 30 s)
 */
public record PoolConfig(
    String name,
    int weight,
    boolean enabled,
    List<TargetConfig> targets,
    Optional<HealthCheck> healthCheck,
    OutlierDetection outlierDetection,
    Duration deregistrationDelay) {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public PoolConfig {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "pool name must be 1-64 letters, digits, '.', '_' or '-' but was \"" + name + "\"");
    }
    checkWeight(name, weight);
    targets = List.copyOf(Objects.requireNonNull(targets, "pool " + name + ": targets"));
    Set<String> ids = new HashSet<>();
    for (TargetConfig t : targets) {
      if (!ids.add(t.id())) {
        throw new IllegalArgumentException(
            "pool " + name + ": target id \"" + t.id() + "\" appears twice");
      }
    }
    healthCheck = Objects.requireNonNullElse(healthCheck, Optional.empty());
    Objects.requireNonNull(outlierDetection, "pool " + name + ": outlierDetection");
    Check.notNegative("pool " + name + ": deregistrationDelay", deregistrationDelay);
  }

  /** Checks a pool weight; used by the builder and the runtime weight change. */
  public static void checkWeight(String pool, int weight) {
    if (weight < 0 || weight > 1000) {
      throw new IllegalArgumentException(
          "pool " + pool + ": weight must be between 0 and 1000 but was " + weight);
    }
  }

  /**
   * A builder: weight 1, enabled, no targets, {@link HealthCheck#defaults()}, {@link
   * OutlierDetection#defaults()}, deregistration delay 30 s.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder holding {@code existing}'s values. */
  public static Builder builder(PoolConfig existing) {
    Builder b = new Builder(existing.name);
    b.weight = existing.weight;
    b.enabled = existing.enabled;
    b.targets.addAll(existing.targets);
    b.healthCheck = existing.healthCheck;
    b.outlierDetection = existing.outlierDetection;
    b.deregistrationDelay = existing.deregistrationDelay;
    return b;
  }

  /** Builds a {@link PoolConfig}. */
  public static final class Builder {
    private final String name;
    private int weight = 1;
    private boolean enabled = true;
    private final List<TargetConfig> targets = new ArrayList<>();
    private Optional<HealthCheck> healthCheck = Optional.of(HealthCheck.defaults());
    private OutlierDetection outlierDetection = OutlierDetection.defaults();
    private Duration deregistrationDelay = Duration.ofSeconds(30);

    private Builder(String name) {
      this.name = name;
    }

    public Builder weight(int weight) {
      checkWeight(name, weight);
      this.weight = weight;
      return this;
    }

    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder target(TargetConfig target) {
      targets.add(Objects.requireNonNull(target, "target"));
      return this;
    }

    public Builder targets(List<TargetConfig> targets) {
      this.targets.clear();
      this.targets.addAll(targets);
      return this;
    }

    public Builder healthCheck(HealthCheck healthCheck) {
      this.healthCheck = Optional.of(healthCheck);
      return this;
    }

    public Builder noHealthCheck() {
      this.healthCheck = Optional.empty();
      return this;
    }

    public Builder outlierDetection(OutlierDetection outlierDetection) {
      this.outlierDetection = Objects.requireNonNull(outlierDetection, "outlierDetection");
      return this;
    }

    public Builder deregistrationDelay(Duration deregistrationDelay) {
      this.deregistrationDelay = deregistrationDelay;
      return this;
    }

    public PoolConfig build() {
      return new PoolConfig(
          name, weight, enabled, targets, healthCheck, outlierDetection, deregistrationDelay);
    }
  }
}
