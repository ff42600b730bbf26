package io.bulwark.eventstore;

import io.bulwark.kernel.Check;
import java.util.Objects;

/**
 * The events after some place in the log (see {@link EventStore#backlog}).
 *
 * @param readable how many a reader resuming there can read now
 * @param heldBack committed events after that place that a reader cannot read yet, because a
 *     transaction older than theirs is still running (normally 0 or a handful; a long-running
 *     transaction anywhere on the PostgreSQL server makes it grow)
 * @param last the last readable one, or the place itself when there are none
 */
public record LogBacklog(long readable, long heldBack, LogPosition last) {

  /** Checks the counts are {@code >= 0}. */
  public LogBacklog {
    Check.notNegative("readable", readable);
    Check.notNegative("heldBack", heldBack);
    Objects.requireNonNull(last, "last");
  }
}
