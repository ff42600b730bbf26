package io.bulwark.states.durable;

import java.sql.Connection;

/**
 * The engine's open transaction, offered to a {@link DurableTaskHandler} that {@linkplain
 * DurableTaskHandler#joinsTransaction joins it}: the task's writes commit together with its outcome
 * and the execution's next step, or not at all.
 */
public interface TaskTransaction {

  /**
   * The engine's connection, inside its transaction (on the engine's database). Write through it;
   * never commit, roll back or close it.
   */
  Connection connection();

  /**
   * Runs {@code action} once the transaction has committed; never when it rolls back, nor when the
   * task fails (a failed task's writes are rolled back to before it ran).
   */
  void afterCommit(Runnable action);
}
