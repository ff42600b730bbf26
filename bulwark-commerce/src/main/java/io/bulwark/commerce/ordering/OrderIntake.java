package io.bulwark.commerce.ordering;

import io.bulwark.commerce.CommerceException;
import io.bulwark.kernel.Check;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The bounded queue in front of the order saga. Its depth is the number of orders accepted whose
 * saga has not got past its first state ({@link OrderSagaTasks#RESERVE_INVENTORY}): the RUNNING
 * order-saga executions whose current state is still that one, as the engine records them in
 * PostgreSQL, so every server process on one database sees the same queue. A regular customer's
 * order is refused with 503 {@code order-intake-full} (and {@code Retry-After}) once the depth has
 * reached the capacity; a VIP customer's order only once it has reached the capacity plus the VIP
 * headroom, so a full queue still takes VIPs. A refused order is refused before anything is
 * written.
 *
 * <p>Counting on every order would put a query on the intake path, so the depth is read from the
 * database by {@link #refresh()} (the server calls it every {@link #REFRESH_INTERVAL}, less often
 * when a reading takes long) and this process's admissions since the start of that reading are
 * added to it. That estimate never undercounts this process's own orders (one that commits while
 * the reading runs may be counted twice until the next reading); another process's orders are seen
 * from the next reading on, so several processes together can overshoot the capacity by what they
 * admit in one interval.
 *
 * <p>Meters: {@code bulwark.orders.intake.depth} (the estimate), {@code bulwark.orders.rejected}
 * tagged {@code reason=capacity}, and {@code bulwark.orders.intake} (the time to accept an order,
 * tagged {@code lane=vip|regular}).
 */
public final class OrderIntake {

  /** How often the server reads the depth from the database. */
  public static final Duration REFRESH_INTERVAL = Duration.ofMillis(200);

  /** The {@code Retry-After} of a refused order, in seconds. */
  public static final long RETRY_AFTER_SECONDS = 1;

  private final int capacity;
  private final int vipCapacity;
  private final LongSupplier queued;
  private final Clock clock;
  private final Counter rejected;
  private final Timer vipLatency;
  private final Timer regularLatency;

  // guarded by this
  private long readDepth;
  private long admitted;
  private long settledBeforeReading;
  // admissions whose transaction has ended, read before each reading starts
  private long settled;

  /**
   * An intake refusing regular orders at {@code capacity} and VIP orders at {@code capacity} plus
   * {@code vipHeadroomPercent} percent of it (rounded up); {@code queued} reads the depth from the
   * database, and the meters go to {@code registry} (whose clock times the readings).
   *
   * @throws IllegalArgumentException for a capacity below 1 or a headroom outside 0..100
   */
  public OrderIntake(
      int capacity, int vipHeadroomPercent, LongSupplier queued, MeterRegistry registry) {
    this.capacity = Check.positive("intakeCapacity", capacity);
    Check.within("vipHeadroomPercent", vipHeadroomPercent, 0, 100);
    this.vipCapacity =
        Math.toIntExact(capacity + ((long) capacity * vipHeadroomPercent + 99) / 100);
    this.queued = Objects.requireNonNull(queued, "queued");
    this.clock = registry.config().clock();
    Gauge.builder("bulwark.orders.intake.depth", this, OrderIntake::depth)
        .description("Orders accepted whose saga has not got past its first state")
        .register(registry);
    this.rejected =
        Counter.builder("bulwark.orders.rejected")
            .description("Orders refused before anything was written, by reason")
            .tag("reason", "capacity")
            .register(registry);
    this.vipLatency = latency(registry, "vip");
    this.regularLatency = latency(registry, "regular");
  }

  /**
   * An intake that admits every order, for tools and tests that place orders without a server (its
   * meters go nowhere).
   */
  public static OrderIntake unbounded() {
    return new OrderIntake(Integer.MAX_VALUE, 0, () -> 0, new SimpleMeterRegistry());
  }

  private static Timer latency(MeterRegistry registry, String lane) {
    return Timer.builder("bulwark.orders.intake")
        .description("Time to accept an order (202), by lane")
        .tag("lane", lane)
        .publishPercentileHistogram()
        .register(registry);
  }

  /** The capacity for regular customers' orders. */
  public int capacity() {
    return capacity;
  }

  /** The capacity for VIP customers' orders: the capacity plus the headroom. */
  public int vipCapacity() {
    return vipCapacity;
  }

  /**
   * Admits one order of a VIP or a regular customer; close the admission once its transaction has
   * ended (committed or not).
   *
   * @throws CommerceException.Unavailable 503 {@code order-intake-full} when the queue is full for
   *     the customer's lane
   */
  public synchronized Admission admit(boolean vip) {
    long depth = depth();
    int limit = vip ? vipCapacity : capacity;
    if (depth >= limit) {
      rejected.increment();
      throw new CommerceException.Unavailable(
          "order-intake-full",
          "the order intake is full ("
              + depth
              + " orders queued, capacity "
              + limit
              + (vip ? " for VIP customers" : "")
              + "); retry in "
              + RETRY_AFTER_SECONDS
              + " s",
          RETRY_AFTER_SECONDS);
    }
    admitted++;
    return new Admission(vip);
  }

  /**
   * The queue's depth: the last reading from the database plus this process's admissions not yet
   * settled when that reading started.
   */
  public synchronized long depth() {
    return readDepth + admitted - settledBeforeReading;
  }

  /**
   * Reads the depth from the database and returns when to read it next: after {@link
   * #REFRESH_INTERVAL}, or after nine times as long as this reading took when that is longer, so
   * that counting a deep queue (tens of milliseconds at 100,000 queued orders) keeps the database
   * busy at most a tenth of the time. The exception of a failed reading propagates.
   */
  public Duration refresh() {
    long before;
    synchronized (this) {
      before = settled;
    }
    long started = clock.monotonicTime();
    long n = queued.getAsLong();
    Duration took = Duration.ofNanos(clock.monotonicTime() - started);
    synchronized (this) {
      readDepth = n;
      settledBeforeReading = before;
    }
    Duration paced = took.multipliedBy(9);
    return paced.compareTo(REFRESH_INTERVAL) > 0 ? paced : REFRESH_INTERVAL;
  }

  private synchronized void settle() {
    settled++;
  }

  /** One admitted order; {@link #close()} it when its transaction has ended. */
  public final class Admission implements AutoCloseable {
    private final boolean vip;
    private boolean closed;

    private Admission(boolean vip) {
      this.vip = vip;
    }

    /** Records that the order was accepted {@code took} after its request arrived. */
    public void accepted(Duration took) {
      (vip ? vipLatency : regularLatency).record(took);
    }

    /** The order's transaction has ended; idempotent. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        settle();
      }
    }
  }
}
