package io.bulwark.eventstore;

import io.bulwark.eventstore.internal.CheckedFailure;
import io.bulwark.postgres.PostgresTransactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Makes an at-least-once message stream take effect exactly once: the effect runs in a transaction
 * that also records {@code (consumer, messageId)} in {@code eventstore_processed_messages}; a
 * redelivered message finds its row and is acknowledged without running the effect again. Two
 * concurrent deliveries of the same message serialise on that row's key: one applies, the other
 * sees it done.
 *
 * <p>Use it as the sink of an {@link OutboxRelay} with {@link MessageSink#oneAtATime}, or call
 * {@link #process} from any transport.
 */
public final class IdempotentConsumer implements MessageSink.PerMessage {

  /** A database effect of one message, run on the consumer's transaction. */
  @FunctionalInterface
  public interface Effect {
    /** Applies {@code message}; throwing rolls back and the message is redelivered later. */
    void apply(OutboxMessage message, Connection transaction) throws Exception;
  }

  private final PostgresTransactions transactions;
  private final String consumer;
  private final Effect effect;

  private IdempotentConsumer(DataSource dataSource, String consumer, Effect effect) {
    this.transactions = PostgresTransactions.of(dataSource);
    this.consumer = consumer;
    this.effect = effect;
  }

  /**
   * A consumer named {@code consumer} (its processed-message rows are kept apart from other
   * consumers') applying {@code effect} in {@code dataSource}'s database.
   */
  public static IdempotentConsumer of(DataSource dataSource, String consumer, Effect effect) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(effect, "effect");
    if (consumer == null || consumer.isBlank() || consumer.length() > 200) {
      throw new IllegalArgumentException(
          "consumer must be 1..200 non-blank characters but was " + consumer);
    }
    return new IdempotentConsumer(dataSource, consumer, effect);
  }

  /**
   * Applies {@code message} unless this consumer already did. Returns true if the effect ran now,
   * false for a duplicate.
   *
   * @throws Exception the effect failed: its own exception (nothing committed)
   * @throws io.bulwark.postgres.DataAccessException the database failed (nothing committed)
   */
  public boolean process(OutboxMessage message) throws Exception {
    try {
      return transactions.inNewTransaction(
          c -> {
            boolean first;
            try (PreparedStatement st =
                c.prepareStatement(
                    "insert into eventstore_processed_messages (consumer, message_id)"
                        + " values (?, ?) on conflict do nothing")) {
              st.setString(1, consumer);
              st.setObject(2, message.messageId());
              first = st.executeUpdate() == 1;
            }
            if (first) {
              CheckedFailure.run(() -> effect.apply(message, c));
            }
            return first;
          });
    } catch (CheckedFailure f) {
      throw f.checked();
    }
  }

  @Override
  public void deliver(OutboxMessage message) throws Exception {
    process(message);
  }
}
