package io.bulwark.eventstore;

import java.util.List;

/**
 * What an append wrote.
 *
 * @param stream the stream
 * @param version the stream's version after the append (pass it as the next expected version)
 * @param events the appended events with their versions and positions, in order
 */
public record AppendResult(String stream, long version, List<RecordedEvent> events) {

  /** Copies the list. */
  public AppendResult {
    events = List.copyOf(events);
  }
}
