package io.bulwark.fleet;

/** Where an instance is in its life within a group. */
public enum Lifecycle {
  /** Launched; not ready yet, gets no traffic. */
  PENDING,
  /** Ready and registered: takes traffic. */
  IN_SERVICE,
  /** Deregistered; finishing requests in flight before it is stopped. */
  DRAINING,
  /** Being stopped or already gone. */
  TERMINATING
}
