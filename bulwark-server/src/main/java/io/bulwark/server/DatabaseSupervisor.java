package io.bulwark.server;

import io.bulwark.postgres.PostgresServer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded PostgreSQL running: when the postmaster dies (killed, crashed), restarts it on
 * the same port with back-off (1 s, then doubling up to 30 s) until it runs again. Meanwhile
 * requests are answered 503 {@code database-unavailable} with {@code Retry-After} by the problem
 * renderer. It logs one line when the database goes down and one when it is back, not one per
 * attempt or per request.
 */
final class DatabaseSupervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DatabaseSupervisor.class);
  private static final Duration CHECK = Duration.ofMillis(500);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private final PostgresServer postgres;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("postgres-supervisor").daemon().factory());
  private volatile boolean closed;
  private long lastPid;
  private volatile boolean down;
  private long nextAttemptNanos;
  private Duration backoff = FIRST_RETRY;
  private int attempts;

  DatabaseSupervisor(PostgresServer postgres) {
    this.postgres = postgres;
    this.lastPid = postgres.pid().orElse(-1L);
  }

  /** Whether the database is known to be down (from its death until it runs again). */
  boolean down() {
    return down;
  }

  /** Starts watching; returns this. */
  DatabaseSupervisor start() {
    timer.scheduleWithFixedDelay(
        this::check, CHECK.toMillis(), CHECK.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void check() {
    if (closed) {
      return;
    }
    Optional<Long> pid = postgres.pid();
    if (pid.isPresent()) {
      lastPid = pid.get();
      return;
    }
    long now = System.nanoTime();
    if (!down) {
      down = true;
      attempts = 0;
      backoff = FIRST_RETRY;
      nextAttemptNanos = now + backoff.toNanos();
      log.error(
          "PostgreSQL (pid {}) exited unexpectedly; requests get 503 database-unavailable;"
              + " restarting it in {} s",
          lastPid,
          backoff.toSeconds());
      return;
    }
    if (now < nextAttemptNanos) {
      return;
    }
    attempts++;
    try {
      postgres.restart();
      down = false;
      lastPid = postgres.pid().orElse(-1L);
      log.warn(
          "PostgreSQL is back (pid {}, port {}) after {} attempt{}",
          lastPid,
          postgres.port(),
          attempts,
          attempts == 1 ? "" : "s");
    } catch (RuntimeException e) {
      backoff =
          backoff.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : backoff.multipliedBy(2);
      nextAttemptNanos = System.nanoTime() + backoff.toNanos();
      log.debug("restarting PostgreSQL failed (attempt {}): {}", attempts, e.toString());
    }
  }

  /** Stops watching (before the database is stopped on purpose). */
  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
