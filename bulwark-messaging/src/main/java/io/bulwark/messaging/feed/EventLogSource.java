package io.bulwark.messaging.feed;

import io.bulwark.eventstore.EventStore;
import io.bulwark.eventstore.LogPosition;
import io.bulwark.eventstore.RecordedEvent;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The events of the streams named {@code <prefix><id>} in the event store, in commit order ({@link
 * EventStore#readAll(Connection, LogPosition, int, String)}, which never skips an event that
 * commits late). The message key is the stream's id (the part after the prefix, e.g. the order id),
 * so one aggregate's events keep their order; the body is an {@link Envelope}.
 */
public final class EventLogSource implements FeedSource {

  private final EventStore store;
  private final String prefix;

  /** Events of {@code store}'s streams starting with {@code prefix} (e.g. {@code order-}). */
  public EventLogSource(EventStore store, String prefix) {
    this.store = Objects.requireNonNull(store, "store");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
  }

  @Override
  public Batch read(Connection transaction, String checkpoint, int max) {
    LogPosition after = position(checkpoint);
    List<RecordedEvent> events = store.readAll(transaction, after, max, prefix);
    List<Item> items = new ArrayList<>(events.size());
    LogPosition last = after;
    for (RecordedEvent e : events) {
      String id = e.stream().substring(prefix.length());
      items.add(
          new Item(
              id,
              Envelope.of(
                  e.eventId().toString(),
                  e.type(),
                  id,
                  e.version(),
                  e.recordedAt(),
                  e.dataTree())));
      last = e.logPosition();
    }
    return new Batch(items, last.equals(LogPosition.START) ? checkpoint : last.toString());
  }

  private static LogPosition position(String checkpoint) {
    if (checkpoint.isEmpty()) {
      return LogPosition.START;
    }
    int slash = checkpoint.indexOf('/');
    try {
      return new LogPosition(
          Long.parseLong(checkpoint.substring(0, slash)),
          Long.parseLong(checkpoint.substring(slash + 1)));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "feed checkpoint must be <transaction>/<position> but was \"" + checkpoint + "\"", e);
    }
  }
}
