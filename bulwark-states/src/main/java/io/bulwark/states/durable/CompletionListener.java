package io.bulwark.states.durable;

import java.sql.Connection;

/**
 * Told when a top-level execution ends (SUCCEEDED, FAILED, TIMED_OUT or ABORTED), inside the
 * transaction that records the end, so what it writes on {@code transaction} commits exactly when
 * the end does: once, even if the process dies right after. Like an EventBridge rule on Step
 * Functions' "Execution Status Change" events, but transactional.
 *
 * <p>It runs on an engine worker (or in the thread that stops the execution) and should only write
 * to the database, for example append an event or start another execution with {@link
 * Engine#start(Connection, String, String, com.fasterxml.jackson.databind.JsonNode, int)}; slow
 * calls to other services belong in a task. If it throws, the transaction rolls back and the step
 * that ended the execution is tried again once its lease runs out.
 */
@FunctionalInterface
public interface CompletionListener {
  /** {@code execution} has just ended; {@code transaction} is still open. */
  void completed(Connection transaction, Execution execution) throws java.sql.SQLException;
}
