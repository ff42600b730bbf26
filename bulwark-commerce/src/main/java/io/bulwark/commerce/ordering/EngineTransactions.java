package io.bulwark.commerce.ordering;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.states.durable.CompletionListener;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.StatesException;
import io.bulwark.states.durable.TaskTransaction;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where ordering meets the state-machine engine's transactions: starting an execution in the
 * transaction open on the calling thread, and running ordering's work inside a transaction the
 * engine owns (a task that joins the step's transaction, a completion listener), so that the
 * ordering stores called there join it.
 *
 * <p>Only what runs inside {@link #within} or a {@link #listener} joins the engine's transaction;
 * the inventory and payment commands of the saga's tasks run outside, in transactions of their own.
 * Widening {@link #within} to a whole task would let them join the step too (one commit less each).
 */
public interface EngineTransactions {

  /**
   * Starts an execution of {@code machine} in the transaction open on this thread (or in one of its
   * own): it exists exactly when that transaction commits.
   *
   * @throws StatesException.Conflict when an execution of that name exists
   */
  Execution start(Engine engine, String machine, String name, JsonNode input, int priority);

  /**
   * As {@link #start}, or empty when an execution of that name exists already (the transaction goes
   * on).
   */
  Optional<Execution> startUnlessExists(
      Engine engine, String machine, String name, JsonNode input, int priority);

  /**
   * Runs {@code work} in the engine's open transaction {@code transaction}: what it writes through
   * the stores commits with the task's outcome, and its after-commit actions run after that commit
   * (none if the task fails).
   */
  <T> T within(TaskTransaction transaction, Supplier<T> work);

  /**
   * A listener running {@code onEnd} in the transaction that records an execution's end: what it
   * writes through the stores commits exactly when the end does. Its after-commit actions run as
   * soon as {@code onEnd} returns (the engine does not tell when it commits).
   */
  CompletionListener listener(Consumer<Execution> onEnd);
}
