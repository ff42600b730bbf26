package io.bulwark.commerce.ordering.jdbc;

import io.bulwark.commerce.ordering.OrderSagaStore;
import io.bulwark.postgres.PostgresTransactions;
import java.util.List;
import java.util.UUID;

/**
 * The {@link OrderSagaStore} in PostgreSQL: counts in the engine's {@code states_executions}, and
 * the earlier runner's {@code ordering_sagas}.
 */
public final class JdbcOrderSagaStore implements OrderSagaStore {

  private final PostgresTransactions tx;

  /** A store in {@code tx}'s database and transactions. */
  public JdbcOrderSagaStore(PostgresTransactions tx) {
    this.tx = tx;
  }

  @Override
  public int running(List<String> machines) {
    return tx.queryFirst(
            "select count(*) from states_executions where parent_arn is null and status ="
                + " 'RUNNING' and machine_name = any (?)",
            rs -> rs.getInt(1),
            machines)
        .orElseThrow();
  }

  @Override
  public long runningIn(String machine, String state) {
    // the index on (machine_name, status, start_date) of top-level executions finds the rows
    return tx.queryFirst(
            "select count(*) from states_executions where parent_arn is null and machine_name = ?"
                + " and status = 'RUNNING' and current_state = ?",
            rs -> rs.getLong(1),
            machine,
            state)
        .orElseThrow();
  }

  @Override
  public List<LegacySaga> lockUnfinishedLegacySagas() {
    return tx.inTransaction(
        () ->
            tx.query(
                "select order_id, state, priority, error_type, error_cause from ordering_sagas"
                    + " where state <> 'Done' for update skip locked",
                rs ->
                    new LegacySaga(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getInt(3),
                        rs.getString(4),
                        rs.getString(5))));
  }

  @Override
  public void markAdopted(UUID orderId) {
    tx.update("update ordering_sagas set state = 'Done' where order_id = ?", orderId);
  }
}
