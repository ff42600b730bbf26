package io.bulwark.fleet;

import java.util.concurrent.CompletableFuture;

/** Registers instances with whatever sends them traffic (the gateway's pool). */
public interface Registrar {

  /** Starts sending traffic to {@code instance}. */
  void register(Instance instance);

  /**
   * Stops sending new traffic to {@code instance} and lets requests in flight finish.
   *
   * @return completes when no request is in flight any more or the deregistration delay passed
   */
  CompletableFuture<Void> deregister(Instance instance);

  /** Removes {@code instance} at once (it is dead); does nothing when it is not registered. */
  void remove(Instance instance);

  /** A registrar for instances nothing routes to. */
  static Registrar none() {
    return new Registrar() {
      @Override
      public void register(Instance instance) {}

      @Override
      public CompletableFuture<Void> deregister(Instance instance) {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public void remove(Instance instance) {}
    };
  }
}
