package io.bulwark.messaging;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * A message (or saga task) that kept failing and was set aside, with what is needed to look at it
 * and to apply it again.
 *
 * @param id the letter's own id
 * @param source {@code message} for a bus message, {@code task} for a saga task
 * @param consumer who failed to apply it: a consumer name, {@code kafka-relay}, or a state machine
 * @param topic the message's topic (for a task: the task's resource or state name)
 * @param key the ordering key, null when absent
 * @param messageId the message id consumers deduplicate on (for a task: its idempotency token)
 * @param payload the body, as it was
 * @param error the last error, as text
 * @param attempts how many times applying it failed
 * @param createdAt when the message was written
 * @param deadLetteredAt when it was set aside
 * @param status where it stands
 * @param resolvedAt when it was replayed or discarded, null while {@link Status#DEAD}
 */
public record DeadLetter(
    UUID id,
    String source,
    String consumer,
    String topic,
    String key,
    String messageId,
    String payload,
    String error,
    int attempts,
    Instant createdAt,
    Instant deadLetteredAt,
    Status status,
    Instant resolvedAt) {

  /** Checks required fields. */
  public DeadLetter {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(deadLetteredAt, "deadLetteredAt");
    Objects.requireNonNull(status, "status");
  }

  /** Where a dead letter stands. */
  public enum Status {
    /** Waiting for an operator: replay or discard. */
    DEAD,
    /** Applied again (or found already applied): done. */
    REPLAYED,
    /** Dropped by an operator: done, never applied by the queue. */
    DISCARDED;

    /** The status named {@code text}, case-insensitive. */
    public static Status of(String text) {
      try {
        return valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new MessagingException.InvalidInput(
            "status", "status must be DEAD, REPLAYED or DISCARDED but was \"" + text + "\"");
      }
    }
  }
}
