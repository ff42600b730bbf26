package io.bulwark.states.durable.internal;

import io.bulwark.kernel.RetryLog;
import io.bulwark.postgres.PostgresTransactions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker threads of one process: each claims the most urgent due work from the {@link
 * WorkQueue} under a lease and has the {@link StepRunner} carry it out, then looks again; idle
 * workers wait for a {@link #wake()} or the poll interval. The first move of a claimed STEP commits
 * together with the claim, so an execution's claim costs no transaction of its own.
 */
public final class WorkerLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerLoop.class);
  private final RetryLog claims = new RetryLog(log, "claiming states work");

  private final PostgresTransactions transactions;
  private final WorkQueue queue;
  private final StepRunner runner;
  private final int workerCount;
  private final Duration pollInterval;
  private final BooleanSupplier databaseClosed;
  private final Object signal = new Object();
  private final List<Thread> workers = new ArrayList<>();

  /** Set while {@link #runOnce} works in the caller's thread, which no shutdown stops. */
  private final ThreadLocal<Boolean> inline = ThreadLocal.withInitial(() -> false);

  private volatile boolean running;

  WorkerLoop(
      PostgresTransactions transactions,
      WorkQueue queue,
      StepRunner runner,
      int workerCount,
      Duration pollInterval,
      BooleanSupplier databaseClosed) {
    this.transactions = transactions;
    this.queue = queue;
    this.runner = runner;
    this.workerCount = workerCount;
    this.pollInterval = pollInterval;
    this.databaseClosed = databaseClosed;
  }

  /** Starts the worker threads (once). */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    for (int i = 0; i < workerCount; i++) {
      Thread t = new Thread(this::work, "states-worker-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  /** Stops the worker threads, waiting for the work in hand; claims they hold are released. */
  @Override
  public synchronized void close() {
    running = false;
    wake();
    for (Thread t : workers) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    workers.clear();
    runner.close();
  }

  /** Wakes idle workers of this process: new work is due. */
  public void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  /**
   * Claims one piece of due work and carries it out in the calling thread (stepping its execution
   * as far as it goes without waiting); false when nothing was due.
   */
  public boolean runOnce() {
    inline.set(true);
    try {
      return claimAndProcess();
    } finally {
      inline.remove();
    }
  }

  private void work() {
    while (running) {
      boolean worked;
      try {
        worked = claimAndProcess();
      } catch (RuntimeException e) {
        if (databaseClosed.getAsBoolean()) {
          running = false;
          return;
        }
        claims.failed(e);
        idle();
        continue;
      }
      claims.succeeded();
      if (!worked) {
        idle();
      }
    }
  }

  /**
   * Claims the most urgent due work and carries it out in the calling thread; false when nothing
   * was due. Throws only when claiming failed; a failure while processing is logged and the work
   * retried once its lease ends.
   */
  private boolean claimAndProcess() {
    WorkQueue.Work[] claimed = new WorkQueue.Work[1];
    TaskInvocation.JoinedTransaction joined = new TaskInvocation.JoinedTransaction();
    Object first;
    try {
      first =
          transactions.inNewTransaction(
              c -> {
                WorkQueue.Work w = queue.claim(c);
                claimed[0] = w;
                return w == null ? null : runner.firstMove(c, w, joined);
              });
    } catch (RuntimeException e) {
      WorkQueue.Work w = claimed[0];
      if (w == null) {
        throw e;
      }
      queue.hold(w); // the claim rolled back with the step: keep others off it for a lease
      failed(w, e);
      return true;
    }
    WorkQueue.Work w = claimed[0];
    if (w == null) {
      return false;
    }
    try {
      runner.process(w, first, this::goOn);
    } catch (RuntimeException e) {
      failed(w, e);
    }
    return true;
  }

  /** Whether to go on with the work in hand: not once the workers stop (except in runOnce). */
  private boolean goOn() {
    return running || inline.get();
  }

  private static void failed(WorkQueue.Work w, RuntimeException e) {
    log.error("processing {} of {} failed; it is retried once its lease ends", w.kind, w.arn, e);
  }

  private void idle() {
    synchronized (signal) {
      try {
        signal.wait(pollInterval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      }
    }
  }
}
