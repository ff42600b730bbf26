package io.bulwark.fleet;

import java.time.Instant;
import java.util.Optional;

/**
 * Something that happened in a group, for status displays and scenario reports.
 *
 * @param at when
 * @param group group name
 * @param kind what happened
 * @param instanceId the instance concerned, if any
 * @param zone its zone, if any
 * @param detail a readable sentence
 */
public record GroupEvent(
    Instant at,
    String group,
    Kind kind,
    Optional<String> instanceId,
    Optional<Zone> zone,
    String detail) {

  /** Kinds of events. */
  public enum Kind {
    LAUNCHED,
    LAUNCH_FAILED,
    ZONE_IMPAIRED,
    IN_SERVICE,
    DIED,
    UNHEALTHY,
    DRAINING,
    TERMINATED,
    SCALED,
    SCHEDULED_ACTION,
    REFRESH_STARTED,
    REFRESH_DONE
  }

  @Override
  public String toString() {
    return at
        + " "
        + group
        + " "
        + kind
        + instanceId.map(id -> " " + id).orElse("")
        + ": "
        + detail;
  }
}
