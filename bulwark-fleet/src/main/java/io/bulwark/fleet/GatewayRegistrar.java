package io.bulwark.fleet;

import io.bulwark.traffic.Gateway;
import io.bulwark.traffic.TargetConfig;
import io.bulwark.traffic.UnknownTargetException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Registers a group's instances as targets of one gateway pool: the target id is the instance id,
 * and the zone is reported with it. Deregistering drains the target (the pool's deregistration
 * delay applies).
 */
public final class GatewayRegistrar implements Registrar {
  private final Gateway gateway;
  private final String pool;

  private GatewayRegistrar(Gateway gateway, String pool) {
    this.gateway = gateway;
    this.pool = pool;
  }

  /** Registers into {@code pool} of {@code gateway}. */
  public static GatewayRegistrar of(Gateway gateway, String pool) {
    return new GatewayRegistrar(
        Objects.requireNonNull(gateway, "gateway"), Objects.requireNonNull(pool, "pool"));
  }

  @Override
  public void register(Instance instance) {
    gateway.addTarget(
        pool,
        new TargetConfig(
            instance.id(), instance.host(), instance.port(), Optional.of(instance.zone().name())));
  }

  @Override
  public CompletableFuture<Void> deregister(Instance instance) {
    try {
      return gateway.drain(instance.id());
    } catch (UnknownTargetException e) {
      return CompletableFuture.completedFuture(null);
    }
  }

  @Override
  public void remove(Instance instance) {
    try {
      gateway.removeTarget(instance.id());
    } catch (UnknownTargetException e) {
      // Already gone.
    }
  }
}
