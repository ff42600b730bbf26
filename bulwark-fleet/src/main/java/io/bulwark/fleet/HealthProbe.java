package io.bulwark.fleet;

import java.util.concurrent.CompletableFuture;

/** Checks one instance's health; the future completes {@code true} when it is ready to serve. */
@FunctionalInterface
public interface HealthProbe {

  /** Starts a check; never completes exceptionally (a failed check is {@code false}). */
  CompletableFuture<Boolean> check(Instance instance);
}
