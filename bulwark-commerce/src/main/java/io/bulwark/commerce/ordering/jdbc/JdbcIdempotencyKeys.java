package io.bulwark.commerce.ordering.jdbc;

import io.bulwark.commerce.ordering.IdempotencyKeys;
import io.bulwark.postgres.PostgresTransactions;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** The {@link IdempotencyKeys} in PostgreSQL: table {@code ordering_idempotency}. */
public final class JdbcIdempotencyKeys implements IdempotencyKeys {

  private static final String FIND =
      "select request_hash, order_id from ordering_idempotency where customer_id = ? and key = ?";

  private final PostgresTransactions tx;

  /** Keys in {@code tx}'s database, kept in its transactions. */
  public JdbcIdempotencyKeys(PostgresTransactions tx) {
    this.tx = tx;
  }

  @Override
  public Optional<Use> find(UUID customerId, String key) {
    return tx.queryFirst(
        FIND, rs -> new Use(rs.getString(1), rs.getObject(2, UUID.class)), customerId, key);
  }

  @Override
  public Optional<Use> claim(
      UUID customerId, String key, String requestHash, UUID orderId, Instant at) {
    return tx.inTransaction(
        () ->
            tx.update(
                        "insert into ordering_idempotency (customer_id, key, request_hash,"
                            + " order_id, created_at) values (?,?,?,?,?) on conflict do nothing",
                        customerId,
                        key,
                        requestHash,
                        orderId,
                        at)
                    == 1
                ? Optional.<Use>empty()
                : Optional.of(find(customerId, key).orElseThrow()));
  }
}
