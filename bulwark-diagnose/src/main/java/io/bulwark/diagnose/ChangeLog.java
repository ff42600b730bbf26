package io.bulwark.diagnose;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The change events a server made to itself (chaos injections so far), newest last, the oldest
 * dropped beyond {@value #CAPACITY}. Thread-safe.
 */
public final class ChangeLog {

  /** How many events are kept. */
  public static final int CAPACITY = 1000;

  private final Deque<ChangeEvent> events = new ArrayDeque<>();

  /** Records {@code event}, replacing an earlier one with the same id (its end moved). */
  public synchronized void record(ChangeEvent event) {
    events.removeIf(e -> e.id().equals(event.id()));
    events.addLast(event);
    while (events.size() > CAPACITY) {
      events.removeFirst();
    }
  }

  /** The events in effect at some time after {@code from}, oldest first. */
  public synchronized List<ChangeEvent> since(Instant from) {
    return events.stream().filter(e -> e.until().map(u -> u.isAfter(from)).orElse(true)).toList();
  }
}
