package io.bulwark.commerce.ordering.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.ordering.EngineTransactions;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.states.durable.CompletionListener;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.StatesException;
import io.bulwark.states.durable.TaskTransaction;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@link EngineTransactions} over the engine's JDBC connections: the connection of an engine's open
 * transaction is bound to the calling thread with {@link PostgresTransactions#joining}, so the
 * stores' calls join it.
 */
public final class JdbcEngineTransactions implements EngineTransactions {

  private final PostgresTransactions tx;

  /** Bridges the engine to {@code tx} (on the engine's database). */
  public JdbcEngineTransactions(PostgresTransactions tx) {
    this.tx = tx;
  }

  @Override
  public Execution start(Engine engine, String machine, String name, JsonNode input, int priority) {
    return tx.inTransaction(c -> engine.startOwn(c, machine, name, input, priority));
  }

  @Override
  public Optional<Execution> startUnlessExists(
      Engine engine, String machine, String name, JsonNode input, int priority) {
    return tx.inTransaction(
        c -> {
          try {
            return Optional.of(engine.startOwn(c, machine, name, input, priority));
          } catch (StatesException.Conflict exists) {
            return Optional.empty();
          }
        });
  }

  @Override
  public <T> T within(TaskTransaction transaction, Supplier<T> work) {
    return tx.joining(transaction.connection(), transaction::afterCommit, work);
  }

  @Override
  public CompletionListener listener(Consumer<Execution> onEnd) {
    return (connection, execution) ->
        tx.joining(
            connection,
            null,
            () -> {
              onEnd.accept(execution);
              return null;
            });
  }
}
