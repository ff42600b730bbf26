package io.bulwark.states.durable.internal;

import io.bulwark.kernel.Refreshing;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.states.durable.Execution;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * The engine's meters, named after Step Functions' CloudWatch metrics: executions started, ended
 * (by status) and redriven, execution time, task outcomes, and the backlog of due work that no
 * worker has claimed yet with the age of its oldest item. Counters move only once the transaction
 * that did the work has committed.
 */
final class EngineMetrics {
  private static final Backlog UNREADABLE = new Backlog(Double.NaN, Double.NaN);

  private final MeterRegistry registry;
  private final DataSource dataSource;
  private final PostgresTransactions transactions;
  private final Clock clock;
  private final Refreshing<Backlog> backlog =
      Refreshing.every(Duration.ofSeconds(1), this::readBacklog);

  private record Backlog(double due, double lagSeconds) {}

  EngineMetrics(MeterRegistry registry, PostgresTransactions transactions, Clock clock) {
    this.registry = registry;
    this.dataSource = transactions.dataSource();
    this.transactions = transactions;
    this.clock = clock;
    Gauge.builder("bulwark.states.work.due", backlog, b -> b.get().due())
        .description("Due steps, timers and retries that no worker has claimed yet")
        .register(registry);
    Gauge.builder("bulwark.states.work.lag", backlog, b -> b.get().lagSeconds())
        .description("How long the oldest unclaimed due work has been due (0 when none)")
        .baseUnit("seconds")
        .register(registry);
  }

  /** A top-level execution of {@code machine} started (counted after the commit). */
  void started(String machine) {
    transactions.afterCommit(
        () ->
            Counter.builder("bulwark.states.executions.started")
                .description("Executions started")
                .tag("machine", machine)
                .register(registry)
                .increment());
  }

  /** A top-level execution ended (counted after the commit). */
  void ended(Execution e) {
    transactions.afterCommit(
        () -> {
          String status = e.status().name();
          Counter.builder("bulwark.states.executions.ended")
              .description("Executions that ended, by status")
              .tag("machine", e.stateMachineName())
              .tag("status", status)
              .register(registry)
              .increment();
          if (e.startDate() != null && e.stopDate() != null) {
            Timer.builder("bulwark.states.execution.time")
                .description("From start to end of an execution (the last run, for a redriven one)")
                .tag("machine", e.stateMachineName())
                .tag("status", status)
                .register(registry)
                .record(Duration.between(e.startDate(), e.stopDate()));
          }
        });
  }

  /** A FAILED execution was redriven (counted after the commit). */
  void redriven(String machine) {
    transactions.afterCommit(
        () ->
            Counter.builder("bulwark.states.executions.redriven")
                .description("Failed executions redriven")
                .tag("machine", machine)
                .register(registry)
                .increment());
  }

  /**
   * A task of any execution ended: {@code succeeded}, {@code failed} or {@code timed_out} (counted
   * after the commit).
   */
  void task(String outcome) {
    transactions.afterCommit(
        () ->
            Counter.builder("bulwark.states.tasks")
                .description("Task invocations that ended, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment());
  }

  /** Unclaimed due work now; NaN when the database cannot say. */
  private Backlog readBacklog() {
    Instant at = clock.instant();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*), min(due_at) from states_work where due_at <= ?"
                    + " and (lease_until is null or lease_until < ?)")) {
      ps.setTimestamp(1, Timestamp.from(at));
      ps.setTimestamp(2, Timestamp.from(at));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Timestamp oldest = rs.getTimestamp(2);
        double lag =
            oldest == null
                ? 0
                : Math.max(0, Duration.between(oldest.toInstant(), at).toNanos() / 1e9);
        return new Backlog(rs.getLong(1), lag);
      }
    } catch (SQLException | RuntimeException e) {
      return UNREADABLE;
    }
  }
}
