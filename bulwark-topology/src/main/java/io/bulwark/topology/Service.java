package io.bulwark.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
    ServiceKind kind,
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
    if (kind == ServiceKind.EXTERNAL && instances.desired() > 0) {
      throw new IllegalArgumentException(
          "an external service has no instances here, got desired " + instances.desired());
    }
    if (kind != ServiceKind.EXTERNAL && instances.desired() < 1) {
      throw new IllegalArgumentException(
          "desired must be >= 1 for a service Bulwark runs, got " + instances.desired());
    }
  }

  /** Whether Bulwark runs instances of it (everything but external services). */
  public boolean runsHere() {
    return kind != ServiceKind.EXTERNAL;
  }

  /** A builder with the given profile's defaults. */
  public static Builder builder(String name, Profile profile) {
    return new Builder(name, profile);
  }

  /** Builds a {@link Service}; each setter checks its own value. */
  public static final class Builder {
    private final String name;
    private ServiceKind kind = ServiceKind.APP;
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

    public Builder kind(ServiceKind kind) {
      this.kind = Objects.requireNonNull(kind, "kind");
      if (kind == ServiceKind.EXTERNAL) {
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
}
