package io.bulwark.commerce.ordering;

import java.util.List;
import java.util.UUID;

/**
 * What the order saga keeps outside the engine's API: how many of its executions still run, and the
 * sagas the earlier hand-written runner left unfinished. Each call takes part in the transaction
 * open on the calling thread ({@link io.bulwark.kernel.Transactions}), or runs on its own.
 */
public interface OrderSagaStore {

  /**
   * A saga of the earlier runner.
   *
   * @param orderId its order
   * @param state the Task state it was in
   * @param priority its priority (1 for VIP customers)
   * @param errorType the error it was compensating, or null
   * @param errorCause that error's cause, or null
   */
  record LegacySaga(
      UUID orderId, String state, int priority, String errorType, String errorCause) {}

  /** How many top-level executions of the machines {@code machines} are RUNNING. */
  int running(List<String> machines);

  /**
   * How many top-level executions of {@code machine} are RUNNING with {@code state} as their
   * current state.
   */
  long runningIn(String machine, String state);

  /**
   * The earlier runner's unfinished sagas, locked until the transaction ends (those another process
   * has locked are skipped).
   */
  List<LegacySaga> lockUnfinishedLegacySagas();

  /** Marks the earlier runner's saga of {@code orderId} done: the engine has it now. */
  void markAdopted(UUID orderId);
}
