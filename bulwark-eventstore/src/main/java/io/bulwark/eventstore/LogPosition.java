package io.bulwark.eventstore;

import io.bulwark.kernel.Check;

/**
 * A place in the whole log, in commit order: the writing transaction's id, then the event's global
 * position inside it. Readers of {@link EventStore#readAll} resume from the last {@code
 * LogPosition} they handled. Positions alone are unique but are allocated at insert time, so they
 * are not in commit order across transactions; this pair is.
 *
 * @param transactionId the PostgreSQL transaction id ({@code xid8}) that appended the event
 * @param position the event's global position (unique, increasing within a transaction)
 */
public record LogPosition(long transactionId, long position) implements Comparable<LogPosition> {

  /** Before the first event. */
  public static final LogPosition START = new LogPosition(0, 0);

  /** Checks both parts are {@code >= 0}. */
  public LogPosition {
    Check.notNegative("transactionId", transactionId);
    Check.notNegative("position", position);
  }

  @Override
  public int compareTo(LogPosition other) {
    int byTransaction = Long.compare(transactionId, other.transactionId);
    return byTransaction != 0 ? byTransaction : Long.compare(position, other.position);
  }

  @Override
  public String toString() {
    return transactionId + "/" + position;
  }
}
