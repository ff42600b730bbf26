package io.bulwark.kernel;

import java.util.function.Supplier;

/**
 * The transaction boundary as domain code sees it: work whose changes take effect together or not
 * at all, and actions that run only once they have. Domain services call it; the stores behind them
 * (which hold the SQL) join the transaction it opens on the calling thread, so a service can make
 * several store calls atomic without seeing a connection. The implementation is {@code
 * io.bulwark.postgres.PostgresTransactions}.
 *
 * <p>Work may run more than once (the implementation retries it after a serialization failure or a
 * deadlock), so it keeps its effects inside the transaction and hands everything else, such as
 * publishing events, to {@link #afterCommit}.
 */
public interface Transactions {

  /**
   * Runs {@code work} in the transaction open on this thread, or in a new one (committed before
   * this returns) when none is. A failure propagates unchanged (a database failure as an unchecked
   * exception of the implementation) and undoes the transaction: work that joined an open
   * transaction cannot undo only its own part, so a failure it throws dooms the whole transaction
   * even if the caller catches it; use {@link #nested} for work that may fail on its own.
   *
   * @return what {@code work} returned
   */
  <T> T inTransaction(Supplier<T> work);

  /** As {@link #inTransaction(Supplier)}, for work without a result. */
  default void inTransaction(Runnable work) {
    inTransaction(
        () -> {
          work.run();
          return null;
        });
  }

  /**
   * Runs {@code work} as a part of the open transaction that can fail on its own: behind a
   * savepoint, so that a failure undoes only {@code work}'s changes (and drops the after-commit
   * actions it registered) and the caller may go on. Without an open transaction it is {@link
   * #inTransaction(Supplier)}: no savepoint is needed then.
   */
  <T> T nested(Supplier<T> work);

  /**
   * Runs {@code action} once the transaction open on this thread has committed: never if it rolls
   * back, once even if its work was retried. Without an open transaction, runs it now. A failing
   * action is logged; it cannot undo the commit.
   */
  void afterCommit(Runnable action);
}
