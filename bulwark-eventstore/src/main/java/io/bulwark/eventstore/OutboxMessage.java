package io.bulwark.eventstore;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A message from the {@link Outbox}, as handed to a {@link MessageSink}.
 *
 * @param messageId unique id (UUIDv7); consumers deduplicate on it
 * @param topic where it goes, e.g. {@code orders}
 * @param key ordering/partition key, null when absent
 * @param payload the message body (usually JSON)
 * @param createdAt when the business transaction wrote it
 * @param attempts failed delivery attempts so far
 */
public record OutboxMessage(
    UUID messageId, String topic, String key, String payload, Instant createdAt, int attempts) {

  /** Checks required fields. */
  public OutboxMessage {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
