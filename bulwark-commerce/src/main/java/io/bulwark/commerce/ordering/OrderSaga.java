package io.bulwark.commerce.ordering;

import static io.bulwark.commerce.internal.Transactions.ts;

import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.commerce.internal.Transactions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs order sagas durably. The saga of each order is a row in {@code ordering_sagas} naming its
 * current state; workers claim due rows with {@code for update skip locked} and a lease, run the
 * state's task, then move the row to the next state and append the outcome to the order's stream in
 * one transaction. A process killed mid-step leaves the lease to expire, and the step runs again
 * (tasks are idempotent), so every acknowledged order reaches CONFIRMED or FAILED.
 *
 * <p>Transitions follow the seed's state machine: ReserveInventory → ProcessPayment → ConfirmOrder;
 * {@code InsufficientStockError} → HandleInventoryFailure → failed; {@code PaymentFailedError} →
 * CompensateInventory → failed. {@code States.TaskFailed} is retried with exponential backoff up to
 * the configured attempts (then compensated); compensation steps retry until they succeed.
 */
public final class OrderSaga implements AutoCloseable {

  static final String DONE = "Done";
  private static final Logger log = LoggerFactory.getLogger(OrderSaga.class);

  private final Transactions tx;
  private final OrderLog orderLog;
  private final OrderSagaTasks tasks;
  private final int workers;
  private final int maxAttempts;
  private final Duration pollInterval;
  private final Duration lease;
  private final Clock clock;
  private final Runnable onTransition;
  private final EventBus bus;
  private final Semaphore signal = new Semaphore(0);
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  /**
   * @param workers concurrent steps
   * @param maxAttempts attempts of a transiently failing step before the order is compensated
   * @param pollInterval longest idle wait between looks for due work
   * @param lease how long a claimed step is reserved for its worker
   * @param onTransition called after each committed transition (the projection listens)
   * @param bus where the appended order events are published after commit
   */
  public OrderSaga(
      DataSource dataSource,
      OrderLog orderLog,
      OrderSagaTasks tasks,
      int workers,
      int maxAttempts,
      Duration pollInterval,
      Duration lease,
      Clock clock,
      Runnable onTransition,
      EventBus bus) {
    this.tx = new Transactions(dataSource);
    this.orderLog = orderLog;
    this.tasks = tasks;
    this.workers = workers;
    this.maxAttempts = maxAttempts;
    this.pollInterval = pollInterval;
    this.lease = lease;
    this.clock = clock;
    this.onTransition = onTransition;
    this.bus = bus;
  }

  /** Starts the worker threads; they resume any saga left unfinished by an earlier process. */
  public synchronized void start() {
    running = true;
    for (int i = 0; i < workers; i++) {
      Thread t = Thread.ofPlatform().name("order-saga-" + i).daemon().start(this::loop);
      threads.add(t);
    }
  }

  /** Wakes idle workers because new work is due. */
  public void wake() {
    if (signal.availablePermits() < workers) {
      signal.release();
    }
  }

  /** Number of sagas not yet done. */
  public int unfinished() {
    return tx.read(
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement("select count(*) from ordering_sagas where state <> 'Done'");
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
          }
        });
  }

  /** Stops the workers, letting a running step finish (its saga resumes on the next start). */
  @Override
  public void close() {
    running = false;
    signal.release(workers * 2);
    try {
      for (Thread t : threads) {
        t.join(10_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    while (running) {
      try {
        if (!runOne()) {
          signal.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("saga worker step failed; retrying after the poll interval", e);
        try {
          signal.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Claims and runs one due step; false when none was due. */
  boolean runOne() {
    Claim claim = claim();
    if (claim == null) {
      return false;
    }
    Order order =
        tx.read(c -> OrderEvents.fold(claim.orderId(), orderLog.stream(c, claim.orderId())));
    if (order.terminal()) {
      finish(claim, order, DONE, null, List.of());
      return true;
    }
    try {
      Map<String, Object> result = tasks.run(claim.state(), order);
      onSuccess(claim, order, result);
    } catch (TaskFailure f) {
      onFailure(claim, order, f.type(), f.causeText());
    } catch (RuntimeException e) {
      onFailure(claim, order, TaskFailure.TASK_FAILED, String.valueOf(e.getMessage()));
    }
    return true;
  }

  private void onSuccess(Claim claim, Order order, Map<String, Object> result) {
    switch (claim.state()) {
      case OrderSagaTasks.RESERVE_INVENTORY ->
          finish(
              claim,
              order,
              OrderSagaTasks.PROCESS_PAYMENT,
              null,
              List.of(new OrderLog.Pending(OrderEvents.INVENTORY_RESERVED, Map.of())));
      case OrderSagaTasks.PROCESS_PAYMENT ->
          finish(
              claim,
              order,
              OrderSagaTasks.CONFIRM_ORDER,
              null,
              List.of(new OrderLog.Pending(OrderEvents.PAYMENT_CHARGED, result)));
      case OrderSagaTasks.CONFIRM_ORDER ->
          finish(
              claim,
              order,
              DONE,
              null,
              List.of(new OrderLog.Pending(OrderEvents.CONFIRMED, Map.of())));
      case OrderSagaTasks.HANDLE_INVENTORY_FAILURE, OrderSagaTasks.COMPENSATE_INVENTORY -> {
        Map<String, Object> failed = new LinkedHashMap<>();
        failed.put(
            "error", claim.errorType() == null ? "OrderProcessingFailed" : claim.errorType());
        failed.put("reason", claim.errorCause() == null ? "order failed" : claim.errorCause());
        failed.put("failedState", "OrderFailed");
        failed.putAll(result);
        finish(claim, order, DONE, null, List.of(new OrderLog.Pending(OrderEvents.FAILED, failed)));
      }
      default -> throw new IllegalStateException("unknown saga state " + claim.state());
    }
  }

  private void onFailure(Claim claim, Order order, String type, String cause) {
    String state = claim.state();
    boolean compensating =
        state.equals(OrderSagaTasks.HANDLE_INVENTORY_FAILURE)
            || state.equals(OrderSagaTasks.COMPENSATE_INVENTORY);
    if (state.equals(OrderSagaTasks.RESERVE_INVENTORY)
        && type.equals(TaskFailure.INSUFFICIENT_STOCK)) {
      finish(
          claim,
          order,
          OrderSagaTasks.HANDLE_INVENTORY_FAILURE,
          new String[] {type, cause},
          List.of());
    } else if (state.equals(OrderSagaTasks.PROCESS_PAYMENT)
        && type.equals(TaskFailure.PAYMENT_FAILED)) {
      finish(
          claim, order, OrderSagaTasks.COMPENSATE_INVENTORY, new String[] {type, cause}, List.of());
    } else if (type.equals(TaskFailure.TASK_FAILED)
        && (compensating || claim.attempts() < maxAttempts)) {
      retryLater(claim, cause);
    } else if (compensating) {
      retryLater(claim, cause);
    } else {
      log.info("order {} failed in {}: {} {}", order.id(), state, type, cause);
      finish(
          claim, order, OrderSagaTasks.COMPENSATE_INVENTORY, new String[] {type, cause}, List.of());
    }
  }

  private Claim claim() {
    Instant now = clock.instant();
    UUID token = UUID.randomUUID();
    return tx.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update ordering_sagas s set lease_until = ?, lease_token = ?, attempts ="
                      + " attempts + 1, updated_at = ? where order_id = (select order_id from"
                      + " ordering_sagas where state <> 'Done' and next_attempt_at <= ? and"
                      + " (lease_until is null or lease_until < ?) order by priority desc,"
                      + " next_attempt_at limit 1 for update skip locked) returning order_id,"
                      + " state, attempts, error_type, error_cause")) {
            ps.setTimestamp(1, ts(now.plus(lease)));
            ps.setObject(2, token);
            ps.setTimestamp(3, ts(now));
            ps.setTimestamp(4, ts(now));
            ps.setTimestamp(5, ts(now));
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return null;
              }
              return new Claim(
                  rs.getObject(1, UUID.class),
                  rs.getString(2),
                  rs.getInt(3),
                  rs.getString(4),
                  rs.getString(5),
                  token);
            }
          }
        });
  }

  private void finish(
      Claim claim, Order order, String next, String[] error, List<OrderLog.Pending> events) {
    List<DomainEvent> published = new ArrayList<>();
    boolean moved =
        tx.inTransaction(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      // The next step keeps the saga's place in the queue (its due time is
                      // not moved to now), so workers finish older orders before starting
                      // newer ones instead of interleaving every order's steps.
                      "update ordering_sagas set state = ?, attempts = 0, next_attempt_at ="
                          + " least(next_attempt_at, ?),"
                          + " lease_until = null, lease_token = null, error_type = coalesce(?,"
                          + " error_type), error_cause = coalesce(?, error_cause), updated_at = ?"
                          + " where order_id = ? and lease_token = ?")) {
                Instant now = clock.instant();
                ps.setString(1, next);
                ps.setTimestamp(2, ts(now));
                ps.setString(3, error == null ? null : error[0]);
                ps.setString(4, error == null ? null : error[1]);
                ps.setTimestamp(5, ts(now));
                ps.setObject(6, claim.orderId());
                ps.setObject(7, claim.token());
                if (ps.executeUpdate() == 0) {
                  return false; // lease lost: another worker redoes the step idempotently
                }
              }
              if (!events.isEmpty()) {
                published.addAll(orderLog.append(c, order.id(), order.version(), events));
              }
              return true;
            });
    if (moved) {
      if (!next.equals(DONE)) {
        wake();
      }
      onTransition.run();
      published.forEach(bus::publish);
    }
  }

  private void retryLater(Claim claim, String cause) {
    long base = Math.max(10, pollInterval.toMillis());
    long delay = Math.min(30_000, base << Math.min(10, Math.max(0, claim.attempts() - 1)));
    tx.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update ordering_sagas set next_attempt_at = ?, lease_until = null, lease_token"
                      + " = null, updated_at = ? where order_id = ? and lease_token = ?")) {
            Instant now = clock.instant();
            ps.setTimestamp(1, ts(now.plusMillis(delay)));
            ps.setTimestamp(2, ts(now));
            ps.setObject(3, claim.orderId());
            ps.setObject(4, claim.token());
            return ps.executeUpdate();
          }
        });
    log.info(
        "order {} step {} attempt {} failed transiently ({}); retrying in {} ms",
        claim.orderId(),
        claim.state(),
        claim.attempts(),
        cause,
        delay);
  }

  private record Claim(
      UUID orderId, String state, int attempts, String errorType, String errorCause, UUID token) {}
}
