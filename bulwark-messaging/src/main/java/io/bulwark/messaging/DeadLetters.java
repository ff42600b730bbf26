package io.bulwark.messaging;

import java.sql.Connection;

/**
 * The port that sets a failure aside in the dead-letter queue: bus consumers use it after their
 * last attempt, and the durable state-machine engine can use it for a saga task that keeps failing
 * (then register a {@link DeadLetterQueue.Replayer} under the machine's name to replay it).
 *
 * <p>Adding is idempotent per {@code (consumer, messageId)}: the same failure added twice (say,
 * redelivered after a crash) is kept once.
 */
public interface DeadLetters {

  /**
   * Records {@code failure} in a transaction of its own. Returns true if it was new.
   *
   * @throws MessagingException.Unavailable the database failed
   */
  boolean add(Failure failure);

  /**
   * Records {@code failure} on the caller's transaction (auto-commit off), so it exists exactly
   * when the caller's other changes commit (a saga step marking its task failed, say). Returns true
   * if it was new.
   *
   * @throws MessagingException.Unavailable the database failed
   */
  boolean add(Connection transaction, Failure failure);
}
