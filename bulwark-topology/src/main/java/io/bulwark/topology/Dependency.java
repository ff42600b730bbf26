package io.bulwark.topology;

import java.util.Objects;
import java.util.Optional;

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
