package io.bulwark.fleet;

import java.util.concurrent.CompletableFuture;

/** Checks one instance's health; the future completes {@code true} when it is ready to serve. */
@FunctionalInterface
public interface HealthProbe {

  /**
   * Starts a readiness check (may the instance take traffic?); never completes exceptionally (a
   * failed check is {@code false}).
   */
  CompletableFuture<Boolean> check(Instance instance);

  /**
   * Starts a liveness check of an instance in service: its failures make the group replace it. By
   * default the readiness check; a probe with a separate liveness check keeps an instance that is
   * alive but not ready (a dependency every instance shares is down) from being replaced.
   */
  default CompletableFuture<Boolean> alive(Instance instance) {
    return check(instance);
  }
}
