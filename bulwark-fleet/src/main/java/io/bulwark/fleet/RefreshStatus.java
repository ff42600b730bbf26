package io.bulwark.fleet;

import java.time.Instant;
import java.util.Optional;

/**
 * Progress of a rolling refresh.
 *
 * @param generation the generation instances are being replaced with
 * @param startedAt when it started
 * @param finishedAt when every older instance was gone, if it is done
 * @param replaced how many older instances were taken out so far
 * @param total how many older instances there were at the start
 * @param minHealthyPercentSeen lowest share of desired capacity in service and healthy while it ran
 */
public record RefreshStatus(
    int generation,
    Instant startedAt,
    Optional<Instant> finishedAt,
    int replaced,
    int total,
    double minHealthyPercentSeen) {

  /** Whether every older instance has been replaced. */
  public boolean done() {
    return finishedAt.isPresent();
  }
}
