package io.bulwark.commerce.ordering;

import static io.bulwark.commerce.internal.Transactions.ts;

import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.internal.Transactions;
import io.bulwark.eventstore.LogBacklog;
import io.bulwark.eventstore.LogPosition;
import io.bulwark.kernel.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
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
import javax.sql.DataSource;
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

  static final String NAME = "orders";
  private static final int BATCH = 500;

  /**
   * How long a woken projection waits for more events before it reads (like a producer's {@code
   * linger.ms}): under load, one batch and one transaction then take the events of several orders
   * instead of each order's events taking a few; the read views are at most this much later.
   */
  private static final long LINGER_NANOS = Duration.ofMillis(5).toNanos();

  private static final Logger log = LoggerFactory.getLogger(OrderProjection.class);

  private final Transactions tx;
  private final OrderLog orderLog;
  private final Duration pollInterval;
  private final BiConsumer<Set<UUID>, Set<UUID>> onApplied;
  private final Semaphore signal = new Semaphore(0);
  private Thread thread;
  private volatile boolean running;
  private LogPosition seen; // last event this instance's caches reflect; guarded by this

  /**
   * @param onApplied told the order ids and customer ids each committed batch touched (the query
   *     side drops their cache entries)
   */
  public OrderProjection(
      DataSource dataSource,
      OrderLog orderLog,
      Duration pollInterval,
      BiConsumer<Set<UUID>, Set<UUID>> onApplied) {
    this.tx = new Transactions(dataSource);
    this.orderLog = orderLog;
    this.pollInterval = pollInterval;
    this.onApplied = onApplied;
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
    tx.inTransaction(
        c -> {
          try (var s = c.createStatement()) {
            s.execute(
                "select position from ordering_projection_checkpoints where name = '"
                    + NAME
                    + "' for update");
            s.execute("delete from ordering_order_view");
            s.execute("delete from ordering_customer_stats");
            s.execute(
                "update ordering_projection_checkpoints set xid = '0', position = 0 where name = '"
                    + NAME
                    + "'");
          }
          return null;
        });
    onApplied.accept(null, null);
    int n = catchUp(progress);
    log.info("order projection rebuilt from {} events", n);
    return n;
  }

  /** The place in the log of the last projected event ({@link LogPosition#START} if none). */
  public LogPosition checkpoint() {
    return tx.read(c -> position(c, false));
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
    return tx.read(
        c -> {
          LogPosition checkpoint = position(c, false);
          LogBacklog backlog = orderLog.backlog(c, checkpoint);
          return new Lag(checkpoint, backlog.last(), backlog.readable(), backlog.heldBack());
        });
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
        if (signal.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS) && running) {
          LockSupport.parkNanos(LINGER_NANOS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("order projection failed; retrying", e);
        try {
          signal.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private record Batch(LogPosition from, LogPosition to, int size) {}

  private int applyBatch() {
    Set<UUID> orders = new HashSet<>();
    Set<UUID> customers = new HashSet<>();
    Batch b =
        tx.inTransaction(
            c -> {
              LogPosition from = position(c, true);
              List<OrderLog.Stored> batch = orderLog.after(c, from, BATCH);
              for (OrderLog.Stored s : batch) {
                UUID customer = apply(c, s.event());
                orders.add(UUID.fromString(s.event().aggregateId()));
                if (customer != null) {
                  customers.add(customer);
                }
              }
              LogPosition to = batch.isEmpty() ? from : batch.get(batch.size() - 1).at();
              if (!batch.isEmpty()) {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "update ordering_projection_checkpoints set xid = ?::text::xid8, position ="
                            + " ? where name = ?")) {
                  ps.setString(1, Long.toUnsignedString(to.transactionId()));
                  ps.setLong(2, to.position());
                  ps.setString(3, NAME);
                  ps.executeUpdate();
                }
              }
              return new Batch(from, to, batch.size());
            });
    if (seen != null && b.from().compareTo(seen) > 0) {
      onApplied.accept(null, null); // another instance projected events this one never saw
    }
    if (b.size() > 0) {
      onApplied.accept(orders, customers);
    }
    seen = b.to();
    return b.size();
  }

  private static LogPosition position(Connection c, boolean lock) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select xid::text, position from ordering_projection_checkpoints where name = ?"
                + (lock ? " for update" : ""))) {
      ps.setString(1, NAME);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new LogPosition(Long.parseUnsignedLong(rs.getString(1)), rs.getLong(2));
      }
    }
  }

  /** Applies one event; returns the customer it concerns, when known. */
  private static UUID apply(Connection c, DomainEvent e) throws SQLException {
    UUID orderId = UUID.fromString(e.aggregateId());
    switch (e.type()) {
      case OrderEvents.PLACED -> {
        Map<String, Object> p = e.payload();
        UUID customer = UUID.fromString((String) p.get("customerId"));
        try (PreparedStatement ps =
            c.prepareStatement(
                "insert into ordering_order_view (order_id, customer_id, customer_name, status,"
                    + " items, total_minor, currency, created_at, updated_at) values"
                    + " (?,?,?,'PENDING',?::jsonb,?,?,?,?) on conflict (order_id) do nothing")) {
          ps.setObject(1, orderId);
          ps.setObject(2, customer);
          ps.setString(3, (String) p.get("customerName"));
          ps.setString(4, Json.write(p.get("items")));
          ps.setLong(5, ((Number) p.get("total")).longValue());
          ps.setString(6, (String) p.get("currency"));
          ps.setTimestamp(7, ts(e.occurredAt()));
          ps.setTimestamp(8, ts(e.occurredAt()));
          if (ps.executeUpdate() == 0) {
            return customer;
          }
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "insert into ordering_customer_stats as s (customer_id, customer_name,"
                    + " order_count, confirmed_count, failed_count, total_spent_minor, currency,"
                    + " last_order_id, last_order_at) values (?,?,1,0,0,0,?,?,?) on conflict"
                    + " (customer_id) do update set customer_name = excluded.customer_name,"
                    + " order_count = s.order_count + 1, currency = excluded.currency,"
                    + " last_order_id = case when s.last_order_at is null or s.last_order_at <="
                    + " excluded.last_order_at then excluded.last_order_id else s.last_order_id"
                    + " end, last_order_at = greatest(s.last_order_at, excluded.last_order_at)")) {
          ps.setObject(1, customer);
          ps.setString(2, (String) p.get("customerName"));
          ps.setString(3, (String) p.get("currency"));
          ps.setObject(4, orderId);
          ps.setTimestamp(5, ts(e.occurredAt()));
          ps.executeUpdate();
        }
        return customer;
      }
      case OrderEvents.CONFIRMED, OrderEvents.FAILED -> {
        boolean confirmed = e.type().equals(OrderEvents.CONFIRMED);
        UUID customer;
        long total;
        try (PreparedStatement ps =
            c.prepareStatement(
                "update ordering_order_view set status = ?, reason = ?, updated_at = ? where"
                    + " order_id = ? and status = 'PENDING' returning customer_id, total_minor")) {
          ps.setString(1, confirmed ? "CONFIRMED" : "FAILED");
          ps.setString(2, confirmed ? null : String.valueOf(e.payload().get("reason")));
          ps.setTimestamp(3, ts(e.occurredAt()));
          ps.setObject(4, orderId);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              return null;
            }
            customer = rs.getObject(1, UUID.class);
            total = rs.getLong(2);
          }
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "update ordering_customer_stats set confirmed_count = confirmed_count + ?,"
                    + " failed_count = failed_count + ?, total_spent_minor = total_spent_minor +"
                    + " ? where customer_id = ?")) {
          ps.setInt(1, confirmed ? 1 : 0);
          ps.setInt(2, confirmed ? 0 : 1);
          ps.setLong(3, confirmed ? total : 0);
          ps.setObject(4, customer);
          ps.executeUpdate();
        }
        return customer;
      }
      default -> {
        try (PreparedStatement ps =
            c.prepareStatement(
                "update ordering_order_view set updated_at = ? where order_id = ? returning"
                    + " customer_id")) {
          ps.setTimestamp(1, ts(e.occurredAt()));
          ps.setObject(2, orderId);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getObject(1, UUID.class) : null;
          }
        }
      }
    }
  }
}
