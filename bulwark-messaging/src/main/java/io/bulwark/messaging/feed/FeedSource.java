package io.bulwark.messaging.feed;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * Where an {@link OutboxFeed} reads events: a log it can resume in order from a checkpoint without
 * ever skipping an event that commits late.
 */
public interface FeedSource {

  /** One message to publish: its ordering key (may be null) and its body. */
  record Item(String key, String payload) {
    /** Checks the payload is present. */
    public Item {
      Objects.requireNonNull(payload, "payload");
    }
  }

  /** What a read returned, and the checkpoint to resume after it. */
  record Batch(List<Item> items, String checkpoint) {
    /** Copies the items. */
    public Batch {
      items = List.copyOf(items);
      Objects.requireNonNull(checkpoint, "checkpoint");
    }
  }

  /**
   * Reads at most {@code max} events after {@code checkpoint} (the empty string at the start) on
   * {@code transaction}, which has written nothing yet.
   */
  Batch read(Connection transaction, String checkpoint, int max) throws SQLException;
}
