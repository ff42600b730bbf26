package io.bulwark.topology;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The DR section: strategy and targets.
 *
 * @param strategy the chosen strategy
 * @param rpo recovery point objective: data loss allowed
 * @param rto recovery time objective: downtime allowed
 * @param region region to recover into; empty means the standby region
 */
public record DisasterRecovery(
    DrStrategy strategy, Duration rpo, Duration rto, Optional<String> region) {

  public DisasterRecovery {
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(rpo, "rpo");
    Objects.requireNonNull(rto, "rto");
    Objects.requireNonNull(region, "region");
    if (rpo.isNegative()) {
      throw new IllegalArgumentException("rpo must be >= 0, got " + rpo);
    }
    if (rto.isNegative()) {
      throw new IllegalArgumentException("rto must be >= 0, got " + rto);
    }
  }
}
