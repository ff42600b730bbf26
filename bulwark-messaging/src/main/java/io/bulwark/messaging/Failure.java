package io.bulwark.messaging;

import io.bulwark.eventstore.OutboxMessage;
import java.time.Instant;
import java.util.Objects;

/**
 * Something to put in the dead-letter queue: what failed, for whom, why and how often.
 *
 * @param source {@code message} or {@code task}
 * @param consumer who failed to apply it, 1..200 characters
 * @param topic the message's topic (for a task: its resource or state name)
 * @param key ordering key, may be null
 * @param messageId the id its consumer deduplicates on (for a task: its idempotency token)
 * @param payload the body
 * @param error the last error, as text
 * @param attempts failed attempts, {@code >= 1}
 * @param createdAt when the message or task was first written
 */
public record Failure(
    String source,
    String consumer,
    String topic,
    String key,
    String messageId,
    String payload,
    String error,
    int attempts,
    Instant createdAt) {

  /** Source of a bus message. */
  public static final String MESSAGE = "message";

  /** Source of a saga task. */
  public static final String TASK = "task";

  /** Checks the fields. */
  public Failure {
    if (!MESSAGE.equals(source) && !TASK.equals(source)) {
      throw new IllegalArgumentException(
          "source must be \"message\" or \"task\" but was \"" + source + "\"");
    }
    if (consumer == null || consumer.isBlank() || consumer.length() > 200) {
      throw new IllegalArgumentException(
          "consumer must be 1..200 non-blank characters but was " + consumer);
    }
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(createdAt, "createdAt");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be >= 1 but was " + attempts);
    }
  }

  /**
   * A bus message {@code consumer} failed to apply {@code attempts} times, lastly with {@code e}.
   */
  public static Failure ofMessage(String consumer, OutboxMessage m, Throwable e, int attempts) {
    return new Failure(
        MESSAGE,
        consumer,
        m.topic(),
        m.key(),
        m.messageId().toString(),
        m.payload(),
        describe(e),
        attempts,
        m.createdAt());
  }

  /**
   * A saga task that kept failing: {@code machine} is the state machine (the consumer), {@code
   * state} the task state, {@code token} the task's idempotency token, {@code input} what it was
   * called with.
   */
  public static Failure ofTask(
      String machine,
      String state,
      String token,
      String input,
      Throwable e,
      int attempts,
      Instant firstAttemptAt) {
    return new Failure(
        TASK, machine, state, null, token, input, describe(e), attempts, firstAttemptAt);
  }

  /** An error as one line of text: its class and message, and its causes'. */
  public static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null && sb.length() < 2000; t = t.getCause()) {
      if (!sb.isEmpty()) {
        sb.append(" <- ");
      }
      sb.append(t.getClass().getSimpleName());
      if (t.getMessage() != null) {
        sb.append(": ").append(t.getMessage());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return sb.length() > 2000 ? sb.substring(0, 2000) : sb.toString();
  }
}
