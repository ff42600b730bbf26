package io.bulwark.eventstore;

import java.sql.Connection;

/**
 * Handles one event of a {@link CatchUpSubscription}. It runs inside the transaction that also
 * moves the subscription's checkpoint past the event: database changes made on {@code transaction}
 * happen exactly once. Other effects (HTTP calls, messages) happen at least once, since a crash
 * after them but before the commit replays the event.
 */
@FunctionalInterface
public interface EventHandler {

  /**
   * Handles {@code event}. Throwing rolls back the transaction; the subscription retries the same
   * event with backoff and never skips it. Do not commit or close {@code transaction}.
   */
  void handle(RecordedEvent event, Connection transaction) throws Exception;
}
