package io.bulwark.topology;

/** What a region does in normal operation. */
public enum RegionRole {
  /** Holds the database primary and serves traffic. */
  PRIMARY,
  /** Waits to take over in a disaster; may run a scaled-down copy. */
  STANDBY,
  /** Serves traffic alongside the primary (active/active). */
  ACTIVE;

  /** Whether the region serves traffic in normal operation. */
  public boolean serves() {
    return this != STANDBY;
  }
}
