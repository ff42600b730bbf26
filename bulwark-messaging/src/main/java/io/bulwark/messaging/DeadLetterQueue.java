package io.bulwark.messaging;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The dead-letter queue: failures set aside by {@link DeadLetters#add}, which an operator lists,
 * looks at, replays or discards ({@code bulwark dlq …}, {@code /api/v1/admin/dlq…}).
 *
 * <p>Replay is idempotent: it hands the letter to the {@link Replayer} registered for its consumer,
 * which applies it at most once in effect (a bus consumer deduplicates on the message id), and
 * marks the letter replayed in the same step. Replaying a letter twice, or from two places at once,
 * applies it once; the second replay reports it already done.
 */
public interface DeadLetterQueue extends DeadLetters {

  /** Applies a dead letter again for its consumer. */
  @FunctionalInterface
  interface Replayer {
    /**
     * Applies {@code letter}; returns true if its effect ran now, false if it had already taken
     * effect. Throwing leaves the letter in the queue with one more attempt.
     */
    boolean replay(DeadLetter letter) throws Exception;
  }

  /** A replay's outcome: the letter as it now stands, and whether its effect ran now. */
  record Replayed(DeadLetter letter, boolean applied) {}

  /**
   * Lets letters of {@code consumer} be replayed by {@code replayer} in this process; a later
   * registration for the same consumer replaces it.
   */
  void onReplay(String consumer, Replayer replayer);

  /**
   * Lets letters of {@code source} ({@link Failure#TASK}, say) be replayed by {@code replayer} in
   * this process when their consumer has no {@link #onReplay} replayer of its own: the durable
   * engine registers one replayer for the tasks of every state machine, including machines defined
   * after it. A later registration for the same source replaces it.
   */
  void onReplayOfSource(String source, Replayer replayer);

  /**
   * Letters with {@code status} (all when null), oldest first, at most {@code limit} (1..1000).
   *
   * @throws MessagingException.InvalidInput limit out of range
   */
  List<DeadLetter> list(DeadLetter.Status status, int limit);

  /** The letter with {@code id}, if any. */
  Optional<DeadLetter> find(UUID id);

  /**
   * Applies letter {@code id} again through its consumer's {@link Replayer} and marks it {@link
   * DeadLetter.Status#REPLAYED}. A letter already replayed is returned as it is, with {@code
   * applied} false.
   *
   * @throws MessagingException.NotFound no such letter
   * @throws MessagingException.AlreadyResolved it was discarded
   * @throws MessagingException.NoConsumer no replayer for its consumer in this process
   * @throws MessagingException.ReplayFailed the effect failed again (the letter stays, with its
   *     attempts and error updated)
   */
  Replayed replay(UUID id);

  /**
   * Marks letter {@code id} {@link DeadLetter.Status#DISCARDED} without applying it; discarding
   * twice is harmless.
   *
   * @throws MessagingException.NotFound no such letter
   * @throws MessagingException.AlreadyResolved it was replayed
   */
  DeadLetter discard(UUID id);

  /** How many letters wait ({@link DeadLetter.Status#DEAD}). */
  long waiting();
}
