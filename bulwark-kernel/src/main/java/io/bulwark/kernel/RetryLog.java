package io.bulwark.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * The log of a loop that retries until it works (a worker, a poller, a relay): the first failure of
 * a run at WARN, the further ones at DEBUG, and one INFO line when a round works again, so a
 * database outage logs one line when it begins and one when it ends, not one per round and thread.
 * The first failure carries its stack trace unless it is the database being away ({@link
 * DatabaseFailures}), which needs none. One instance may be shared by the threads of one loop.
 */
public final class RetryLog {
  private final Logger log;
  private final String what;
  private final AtomicInteger failures = new AtomicInteger();

  /** Logs to {@code log} about {@code what} (a noun phrase: "the order projection"). */
  public RetryLog(Logger log, String what) {
    this.log = log;
    this.what = what;
  }

  /** A round failed with {@code e}; it will be retried. */
  public void failed(Throwable e) {
    if (failures.getAndIncrement() > 0) {
      log.debug("{} failed again", what, e);
    } else if (DatabaseFailures.unavailable(e) || DatabaseFailures.poolExhausted(e)) {
      log.warn(
          "{} failed: the database is unavailable ({}); retrying, logged again once it works",
          what,
          e.getMessage());
    } else {
      log.warn("{} failed; retrying, logged again once it works", what, e);
    }
  }

  /** A round worked: ends a run of failures, if there was one, with one line. */
  public void succeeded() {
    if (failures.get() == 0) {
      return;
    }
    int n = failures.getAndSet(0);
    if (n > 0) {
      log.info("{} works again after {} failed round{}", what, n, n == 1 ? "" : "s");
    }
  }
}
