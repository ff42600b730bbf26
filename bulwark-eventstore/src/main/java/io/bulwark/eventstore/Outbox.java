package io.bulwark.eventstore;

import io.bulwark.eventstore.internal.Text;
import io.bulwark.kernel.Ids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes messages to the transactional outbox (table {@code eventstore_outbox}) inside the caller's
 * business transaction, so a message exists if and only if the business change committed. An {@link
 * OutboxRelay} delivers it after commit.
 */
public final class Outbox {

  private Outbox() {}

  /**
   * Enqueues a message on {@code transaction} (auto-commit must be off); it becomes deliverable
   * when the caller commits. Returns the message id (UUIDv7).
   *
   * @param topic where the message goes, 1..200 characters
   * @param key ordering key, at most 200 characters, may be null
   * @param payload the body, not null, without NUL characters
   * @throws IllegalArgumentException bad topic, key or payload, or an auto-commit connection
   * @throws StorageException the insert failed
   */
  public static UUID enqueue(Connection transaction, String topic, String key, String payload) {
    Objects.requireNonNull(transaction, "transaction");
    Text.name("topic", topic, 200);
    Text.optional("key", key, 200);
    Text.storable("payload", Objects.requireNonNull(payload, "payload"));
    UUID id = Ids.newId();
    try {
      if (transaction.getAutoCommit()) {
        throw new IllegalArgumentException(
            "enqueue needs the business transaction's connection (autoCommit=false)");
      }
      try (PreparedStatement st =
          transaction.prepareStatement(
              "insert into eventstore_outbox (message_id, topic, key, payload) values (?, ?, ?, ?)")) {
        st.setObject(1, id);
        st.setString(2, topic);
        st.setString(3, key);
        st.setString(4, payload);
        st.executeUpdate();
      }
      return id;
    } catch (SQLException e) {
      throw new StorageException("cannot enqueue a message on topic " + topic, e);
    }
  }
}
