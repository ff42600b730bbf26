package io.bulwark.messaging;

import io.bulwark.eventstore.IdempotentConsumer;
import java.sql.Connection;
import java.util.UUID;

/**
 * Bulwark's event bus: publish a message in the business transaction, consume it once in effect.
 *
 * <p>Publishing writes to the transactional outbox ({@code eventstore_outbox}) on the caller's
 * connection, so a message exists exactly when the business change commits; a relay then delivers
 * it at least once. Each subscription is a named consumer whose effect runs in a database
 * transaction that also records the message id, so a redelivered message is recognised and its
 * effect happens once. A message whose effect keeps failing is retried with back-off and, after
 * {@link Redelivery#maxAttempts()} attempts, set aside in the {@link DeadLetterQueue} for that
 * consumer (other consumers are not held up by it).
 *
 * <p>Two transports: {@code PostgresMessageBus} (the default on one machine: the relay hands
 * messages straight to this process's consumers) and {@code KafkaMessageBus} (the relay produces to
 * Kafka topics; consumers read them in consumer groups). The API is the same.
 */
public interface MessageBus extends AutoCloseable {

  /**
   * Enqueues a message on {@code transaction} (auto-commit off); it is delivered once the caller
   * commits. Returns its id.
   *
   * @param topic where it goes, 1..200 characters ({@code [A-Za-z0-9._-]} for Kafka topics)
   * @param key the ordering key (messages with one key are delivered in order), may be null
   * @param payload the body, usually JSON
   * @throws IllegalArgumentException bad topic, key or payload, or an auto-commit connection
   */
  UUID publish(Connection transaction, String topic, String key, String payload);

  /**
   * Applies {@code effect} to every message on {@code topic}, once in effect, as consumer {@code
   * consumer} (a consumer group on Kafka). Subscribe before {@link #start()}.
   *
   * @throws IllegalArgumentException a blank name, or the same consumer on the same topic twice
   * @throws IllegalStateException the bus has started
   */
  void subscribe(String topic, String consumer, IdempotentConsumer.Effect effect);

  /** Starts relaying and consuming on background threads; returns at once. */
  MessageBus start();

  /** Which transport this is: {@code postgres} or {@code kafka}. */
  String transport();

  /** Stops relaying and consuming, finishing the message in hand. */
  @Override
  void close();
}
