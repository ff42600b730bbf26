package io.bulwark.commerce.ordering;

import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.eventstore.LogBacklog;
import io.bulwark.eventstore.LogPosition;
import io.bulwark.kernel.RetryLog;
import io.bulwark.kernel.Transactions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the read side from the order events in the event store: a denormalised order view
 * (customer and product names) and per-customer statistics. Each batch of events and the checkpoint
 * that follows it commit together, so after a crash the projection catches up exactly where it
 * stopped; {@link #rebuild()} recomputes everything from the first event. Several instances may
 * share the views: the checkpoint row lock lets one apply a batch at a time, and an instance that
 * finds the checkpoint moved by another drops its whole cache, so no instance serves a stale view
 * for long.
 *
 * <p>The checkpoint is the event store's {@link LogPosition (transaction id, position)} of the last
 * projected order event, and the log only hands out events of transactions that ended before every
 * running one, so the projection neither skips an event that commits late nor applies a stream's
 * events out of order (see {@link OrderLog}).
 */
public final class OrderProjection implements AutoCloseable {

  private static final int BATCH = 500;

  /**
   * How long a woken projection waits for more events before it reads (like a producer's {@code
   * linger.ms}): under load, one batch and one transaction then take the events of several orders
   * instead of each order's events taking a few; the read views are at most this much later. At 5
   * ms the projection still committed about once per order at 60 orders/s (issue 15's count).
   */
  private static final long LINGER_NANOS = Duration.ofMillis(25).toNanos();

  private static final Logger log = LoggerFactory.getLogger(OrderProjection.class);
  private final RetryLog rounds = new RetryLog(log, "the order projection");

  private final OrderViews views;
  private final OrderLog orderLog;
  private final Transactions tx;
  private final Duration pollInterval;
  private final BiConsumer<Set<UUID>, Set<UUID>> onApplied;
  private final MeterRegistry registry;
  private final Counter placed;
  private final Counter confirmed;
  private final Counter failed;
  private final Semaphore signal = new Semaphore(0);
  private Thread thread;
  private volatile boolean running;
  private LogPosition seen; // last event this instance's caches reflect; guarded by this

  /**
   * A projection of {@code orderLog} into {@code views}, each batch in one transaction of {@code
   * tx}.
   *
   * @param onApplied told the order ids and customer ids each committed batch touched (the query
   *     side drops their cache entries)
   */
  public OrderProjection(
      OrderViews views,
      OrderLog orderLog,
      Transactions tx,
      Duration pollInterval,
      BiConsumer<Set<UUID>, Set<UUID>> onApplied) {
    this(views, orderLog, tx, pollInterval, onApplied, new SimpleMeterRegistry());
  }

  /**
   * As above, counting in {@code registry} the orders each committed batch placed and ended: {@code
   * bulwark.orders.placed}, {@code bulwark.orders.ended{outcome=confirmed|failed}} and {@code
   * bulwark.orders.revenue{currency}} (minor units of confirmed orders). Counted after the batch's
   * transaction commits, so a batch that is rolled back and retried counts once.
   */
  public OrderProjection(
      OrderViews views,
      OrderLog orderLog,
      Transactions tx,
      Duration pollInterval,
      BiConsumer<Set<UUID>, Set<UUID>> onApplied,
      MeterRegistry registry) {
    this.views = views;
    this.orderLog = orderLog;
    this.tx = tx;
    this.pollInterval = pollInterval;
    this.onApplied = onApplied;
    this.registry = registry;
    this.placed =
        Counter.builder(PLACED_METER)
            .description("Orders the read views took in, counted by the projecting process")
            .register(registry);
    this.confirmed = ended(registry, "confirmed");
    this.failed = ended(registry, "failed");
  }

  /** Orders placed, as projected. */
  public static final String PLACED_METER = "bulwark.orders.placed";

  /** Orders ended, by {@code outcome} (confirmed or failed), as projected. */
  public static final String ENDED_METER = "bulwark.orders.ended";

  /** Minor units of confirmed orders, by {@code currency}, as projected. */
  public static final String REVENUE_METER = "bulwark.orders.revenue";

  private static Counter ended(MeterRegistry registry, String outcome) {
    return Counter.builder(ENDED_METER)
        .description("Orders that reached CONFIRMED or FAILED, counted by the projecting process")
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Starts catching up in the background, now and whenever {@link #wake()} is called. */
  public synchronized void start() {
    running = true;
    thread = Thread.ofPlatform().name("order-projection").daemon().start(this::loop);
  }

  /** New events are there. */
  public void wake() {
    if (signal.availablePermits() == 0) {
      signal.release();
    }
  }

  /** Applies every event not yet projected; returns how many. */
  public synchronized int catchUp() {
    return catchUp(n -> {});
  }

  private int catchUp(IntConsumer progress) {
    int total = 0;
    int n;
    do {
      n = applyBatch();
      total += n;
      if (n > 0) {
        progress.accept(total);
      }
    } while (n == BATCH);
    return total;
  }

  /** Drops the views and replays the whole log into them; returns the events applied. */
  public synchronized int rebuild() {
    return rebuild(n -> {});
  }

  /**
   * As {@link #rebuild()}, telling {@code progress} the running count of events replayed after each
   * committed batch.
   */
  public synchronized int rebuild(IntConsumer progress) {
    views.clear();
    onApplied.accept(null, null);
    int n = catchUp(progress);
    log.info("order projection rebuilt from {} events", n);
    return n;
  }

  /** The place in the log of the last projected event ({@link LogPosition#START} if none). */
  public LogPosition checkpoint() {
    return views.checkpoint();
  }

  /**
   * Where the projection stands against the log.
   *
   * @param checkpoint the last projected event
   * @param head the last event the projection can read now ({@code checkpoint} when there is none
   *     after it); events of transactions still running, or newer than one still running, come
   *     later
   * @param behind events after the checkpoint that the projection can read now
   * @param heldBack committed events after those that the projection cannot read until an older
   *     transaction still running ends (normally 0 or a handful; a long-running transaction
   *     anywhere on the PostgreSQL server makes it grow)
   */
  public record Lag(LogPosition checkpoint, LogPosition head, long behind, long heldBack) {}

  /** How far the views are behind the log; counts the events after the checkpoint in SQL. */
  public Lag lag() {
    LogPosition checkpoint = views.checkpoint();
    LogBacklog backlog = orderLog.backlog(checkpoint);
    return new Lag(checkpoint, backlog.last(), backlog.readable(), backlog.heldBack());
  }

  /** Stops catching up; the checkpoint keeps where it got to. */
  @Override
  public void close() {
    running = false;
    signal.release();
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void loop() {
    while (running) {
      try {
        catchUp();
        rounds.succeeded();
        if (signal.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS) && running) {
          LockSupport.parkNanos(LINGER_NANOS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        rounds.failed(e);
        try {
          signal.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private record Batch(
      LogPosition from,
      LogPosition to,
      int size,
      Set<UUID> orders,
      Set<UUID> customers,
      Tally tally) {}

  /** What one batch placed and ended, counted once its transaction has committed. */
  private static final class Tally {
    int placed;
    int confirmed;
    int failed;
    final Map<String, Long> revenue = new HashMap<>();
  }

  private int applyBatch() {
    Batch b =
        tx.inTransaction(
            () -> {
              LogPosition from = views.lockCheckpoint();
              List<OrderLog.Stored> batch = orderLog.after(from, BATCH);
              Set<UUID> orders = new HashSet<>();
              Set<UUID> customers = new HashSet<>();
              Tally tally = new Tally();
              for (OrderLog.Stored s : batch) {
                UUID customer = apply(s.event(), tally);
                orders.add(UUID.fromString(s.event().aggregateId()));
                if (customer != null) {
                  customers.add(customer);
                }
              }
              LogPosition to = batch.isEmpty() ? from : batch.getLast().at();
              if (!batch.isEmpty()) {
                views.moveCheckpoint(to);
              }
              return new Batch(from, to, batch.size(), orders, customers, tally);
            });
    placed.increment(b.tally().placed);
    confirmed.increment(b.tally().confirmed);
    failed.increment(b.tally().failed);
    b.tally()
        .revenue
        .forEach(
            (currency, minor) ->
                Counter.builder(REVENUE_METER)
                    .description(
                        "Minor units of confirmed orders, counted by the projecting process")
                    .tag("currency", currency)
                    .register(registry)
                    .increment(minor));
    if (seen != null && b.from().compareTo(seen) > 0) {
      onApplied.accept(null, null); // another instance projected events this one never saw
    }
    if (b.size() > 0) {
      onApplied.accept(b.orders(), b.customers());
    }
    seen = b.to();
    return b.size();
  }

  /**
   * Applies one event to the views, counting in {@code tally} what it placed or ended; returns the
   * customer it concerns, when known.
   */
  private UUID apply(DomainEvent e, Tally tally) {
    UUID orderId = UUID.fromString(e.aggregateId());
    switch (e.type()) {
      case OrderEvents.PLACED -> {
        Map<String, Object> p = e.payload();
        UUID customer = UUID.fromString((String) p.get("customerId"));
        String name = (String) p.get("customerName");
        String currency = (String) p.get("currency");
        boolean added =
            views.addOrder(
                orderId,
                customer,
                name,
                (List<?>) p.get("items"),
                ((Number) p.get("total")).longValue(),
                currency,
                ShippingAddress.fromMap(p.get("shippingAddress")),
                e.occurredAt());
        if (added) {
          views.countPlaced(customer, name, currency, orderId, e.occurredAt());
          tally.placed++;
        }
        return customer;
      }
      case OrderEvents.CONFIRMED, OrderEvents.FAILED -> {
        boolean confirmed = e.type().equals(OrderEvents.CONFIRMED);
        return views
            .endOrder(
                orderId,
                confirmed ? OrderStatus.CONFIRMED : OrderStatus.FAILED,
                confirmed ? null : String.valueOf(e.payload().get("reason")),
                e.occurredAt())
            .map(
                ended -> {
                  views.countEnded(ended.customerId(), confirmed, ended.totalMinor());
                  if (confirmed) {
                    tally.confirmed++;
                    tally.revenue.merge(ended.currency(), ended.totalMinor(), Long::sum);
                  } else {
                    tally.failed++;
                  }
                  return ended.customerId();
                })
            .orElse(null);
      }
      default -> {
        return views.touchOrder(orderId, e.occurredAt()).orElse(null);
      }
    }
  }
}
