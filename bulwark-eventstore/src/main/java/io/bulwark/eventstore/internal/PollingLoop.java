package io.bulwark.eventstore.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One daemon thread that runs a body until stopped, with pauses that {@link #close()} cuts short.
 * Subscriptions and outbox relays run on it.
 */
public final class PollingLoop implements AutoCloseable {

  private final String threadName;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private volatile boolean running;
  private Thread thread;

  /** A loop whose thread will be named {@code threadName}. */
  public PollingLoop(String threadName) {
    this.threadName = threadName;
  }

  /** Starts {@code body} on the thread; the body should return once {@link #running()} is false. */
  public synchronized void start(Runnable body) {
    if (thread != null) {
      throw new IllegalStateException(threadName + " was already started");
    }
    running = true;
    thread = Thread.ofPlatform().name(threadName).daemon().start(body);
  }

  /** False once {@link #close()} or {@link #stop()} was called. */
  public boolean running() {
    return running;
  }

  /** Asks the body to finish (from inside it, e.g. after an interrupt). */
  public void stop() {
    running = false;
  }

  /** Waits {@code duration}, or less if the loop is closed meanwhile. Restores interrupts. */
  public void pause(Duration duration) {
    lock.lock();
    try {
      if (running) {
        wake.awaitNanos(duration.toNanos());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      lock.unlock();
    }
  }

  /** Stops the loop and waits up to 30 s for the body to return. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    if (t == null) {
      return;
    }
    lock.lock();
    try {
      wake.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      t.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
