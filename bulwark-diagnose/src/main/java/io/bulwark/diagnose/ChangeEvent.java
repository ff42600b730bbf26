package io.bulwark.diagnose;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A change made to the system: a deploy, a scaling, a failover, a fault injection.
 *
 * @param id a stable id (a chaos injection's id)
 * @param kind what kind of change
 * @param component the component changed
 * @param at when it started
 * @param until when it ended or will end, if bounded
 * @param description what was done, for people
 */
public record ChangeEvent(
    String id,
    Kind kind,
    String component,
    Instant at,
    Optional<Instant> until,
    String description) {

  /** What kind of change. */
  public enum Kind {
    DEPLOY,
    CONFIG,
    SCALING,
    FAILOVER,
    CHAOS
  }

  /** Checks the members. */
  public ChangeEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(description, "description");
  }

  /** Whether the change is in effect at {@code t}. */
  public boolean activeAt(Instant t) {
    return !at.isAfter(t) && until.map(u -> u.isAfter(t)).orElse(true);
  }
}
