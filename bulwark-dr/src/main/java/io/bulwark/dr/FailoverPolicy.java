package io.bulwark.dr;

/**
 * What automatic failover may do, as Patroni's {@code synchronous_mode_strict} and {@code
 * maximum_lag_on_failover}.
 *
 * @param strictSync true: when no synchronous standby streams, commits wait (writes stop) rather
 *     than being acknowledged by the primary alone; false (default): the primary goes on alone and
 *     no standby is eligible for automatic failover until one has caught up again
 * @param allowAsync whether an asynchronous standby may be promoted when no synchronous one is
 *     eligible (it may lack acknowledged commits: the loss is bounded by {@code maxLagBytes})
 * @param maxLagBytes an asynchronous candidate must be within this many bytes of the last position
 *     the primary published (default 1 MiB, Patroni's default)
 */
public record FailoverPolicy(boolean strictSync, boolean allowAsync, long maxLagBytes) {

  public FailoverPolicy {
    if (maxLagBytes < 0) {
      throw new IllegalArgumentException("maxLagBytes must be >= 0 but was " + maxLagBytes);
    }
  }

  /** Non-strict sync mode, no promotion of asynchronous standbys, 1 MiB. */
  public static FailoverPolicy defaults() {
    return new FailoverPolicy(false, false, 1 << 20);
  }
}
