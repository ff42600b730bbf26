package io.bulwark.traffic;

/** Whether a target takes new requests, and if not, why. */
public enum TargetState {
  /** Healthy, not ejected, not draining: takes new requests. */
  SERVING,
  /** Failed its active health checks. */
  UNHEALTHY,
  /** Ejected for a while after consecutive failed requests. */
  EJECTED,
  /** Finishing in-flight requests before removal; takes no new ones. */
  DRAINING
}
