package io.bulwark.eventstore;

import io.bulwark.eventstore.internal.CheckedFailure;
import io.bulwark.eventstore.internal.PollingLoop;
import io.bulwark.kernel.Check;
import io.bulwark.kernel.RetryLog;
import io.bulwark.postgres.DataAccessException;
import io.bulwark.postgres.PostgresTransactions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds every event of the whole log, in commit order, to an {@link EventHandler}, starting after
 * the subscription's durable checkpoint (table {@code eventstore_subscriptions}, one row per name).
 *
 * <p>Each event is handled in its own transaction that also moves the checkpoint, so after a crash
 * or restart the subscription resumes right after the last event whose effects committed. A handler
 * that throws is retried on the same event with {@link Backoff} (logged and counted in {@code
 * bulwark.eventstore.subscription.failures}), forever: a poison event stalls the subscription
 * rather than being skipped. Several processes may run the same subscription: the checkpoint row is
 * locked per event and an instance that finds it moved by another one re-reads from there, so each
 * event's transaction commits once.
 *
 * <p>Meters: {@code bulwark.eventstore.subscription.lag} (seconds between now and the last handled
 * event while behind the head of the log, 0 when caught up) and the failures counter, tagged {@code
 * subscription=<name>}.
 */
public final class CatchUpSubscription implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CatchUpSubscription.class);

  private final String name;
  private final EventStore store;
  private final PostgresTransactions transactions;
  private final EventHandler handler;
  private final int batchSize;
  private final Duration pollInterval;
  private final Backoff backoff;
  private final Clock clock;
  private final Counter failures;
  private final AtomicLong lagMillis = new AtomicLong();
  private final PollingLoop loop;
  private volatile LogPosition handled;

  private CatchUpSubscription(Builder b) {
    this.name = b.name;
    this.loop = new PollingLoop("subscription-" + b.name);
    this.store = b.store;
    this.transactions = PostgresTransactions.of(b.dataSource);
    this.handler = b.handler;
    this.batchSize = b.batchSize;
    this.pollInterval = b.pollInterval;
    this.backoff = b.backoff;
    this.clock = b.clock;
    this.failures =
        Counter.builder("bulwark.eventstore.subscription.failures")
            .tag("subscription", name)
            .description("handler failures (each is retried)")
            .register(b.meterRegistry);
    Gauge.builder("bulwark.eventstore.subscription.lag", lagMillis, l -> l.get() / 1000.0)
        .tag("subscription", name)
        .baseUnit("seconds")
        .description("age of the last handled event while behind the head of the log")
        .register(b.meterRegistry);
  }

  /**
   * A builder for subscription {@code name} reading {@code store}, keeping its checkpoint and
   * running handler transactions on {@code dataSource} (the store's database).
   */
  public static Builder builder(
      String name, EventStore store, DataSource dataSource, EventHandler handler) {
    return new Builder(name, store, dataSource, handler);
  }

  /** Starts handling on a background thread; returns at once. Starting twice is an error. */
  public CatchUpSubscription start() {
    loop.start(this::run);
    return this;
  }

  /** The subscription's name. */
  public String name() {
    return name;
  }

  /** The durable checkpoint: the last event handled, {@link LogPosition#START} if none. */
  public LogPosition checkpoint() {
    try {
      return transactions.read(c -> loadCheckpoint(c, false));
    } catch (DataAccessException e) {
      throw new StorageException("cannot read the checkpoint of subscription " + name, e);
    }
  }

  /** Stops after the event in hand (its transaction commits or rolls back) and waits. */
  @Override
  public void close() {
    loop.close();
  }

  private void run() {
    RetryLog reads = new RetryLog(log, "subscription " + name + " reading the log");
    while (loop.running()) {
      try {
        if (handled == null) {
          handled = checkpoint();
        }
        List<RecordedEvent> batch = store.readAll(handled, batchSize);
        reads.succeeded();
        if (batch.isEmpty()) {
          lagMillis.set(0);
          loop.pause(pollInterval);
          continue;
        }
        for (RecordedEvent event : batch) {
          if (!loop.running() || !handleWithRetries(event)) {
            break;
          }
        }
        RecordedEvent last = batch.getLast();
        lagMillis.set(
            batch.size() < batchSize
                ? 0
                : Math.max(0, clock.millis() - last.recordedAt().toEpochMilli()));
      } catch (RuntimeException e) {
        failures.increment();
        reads.failed(e);
        loop.pause(backoff.initial());
      }
    }
  }

  /**
   * Handles {@code event} until its transaction commits. Returns false when another instance had
   * moved the checkpoint (the batch is stale) or the subscription stopped.
   */
  private boolean handleWithRetries(RecordedEvent event) {
    for (int attempt = 1; loop.running(); attempt++) {
      try {
        LogPosition moved =
            transactions.inNewTransaction(
                c -> {
                  LogPosition stored = loadCheckpoint(c, true);
                  if (!stored.equals(handled)) {
                    return stored;
                  }
                  CheckedFailure.run(() -> handler.handle(event, c));
                  saveCheckpoint(c, event.logPosition());
                  return null;
                });
        if (moved != null) {
          log.info("subscription {}: checkpoint moved to {} by another instance", name, moved);
          handled = moved;
          return false;
        }
        handled = event.logPosition();
        return true;
      } catch (RuntimeException e) {
        failures.increment();
        Duration delay = backoff.delay(attempt);
        log.warn(
            "subscription {}: handling {} event {} at {} failed (attempt {}), retrying in {}",
            name,
            event.type(),
            event.eventId(),
            event.logPosition(),
            attempt,
            delay,
            e instanceof CheckedFailure f ? f.checked() : e);
        loop.pause(delay);
      }
    }
    return false;
  }

  private LogPosition loadCheckpoint(Connection c, boolean forUpdate) throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "insert into eventstore_subscriptions (name, transaction_id, position, updated_at)"
                + " values (?, '0', 0, ?) on conflict (name) do nothing")) {
      insert.setString(1, name);
      insert.setTimestamp(2, Timestamp.from(clock.instant()));
      insert.executeUpdate();
    }
    try (PreparedStatement st =
        c.prepareStatement(
            "select transaction_id::text, position from eventstore_subscriptions where name = ?"
                + (forUpdate ? " for update" : ""))) {
      st.setString(1, name);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return new LogPosition(Long.parseUnsignedLong(rs.getString(1)), rs.getLong(2));
      }
    }
  }

  private void saveCheckpoint(Connection c, LogPosition position) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "update eventstore_subscriptions set transaction_id = ?::text::xid8, position = ?,"
                + " updated_at = ? where name = ?")) {
      st.setString(1, Long.toUnsignedString(position.transactionId()));
      st.setLong(2, position.position());
      st.setTimestamp(3, Timestamp.from(clock.instant()));
      st.setString(4, name);
      st.executeUpdate();
    }
  }

  /** Builds a {@link CatchUpSubscription}; each method checks its value. */
  public static final class Builder {
    private final String name;
    private final EventStore store;
    private final DataSource dataSource;
    private final EventHandler handler;
    private int batchSize = 100;
    private Duration pollInterval = Duration.ofMillis(100);
    private Backoff backoff = Backoff.defaults();
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry = new SimpleMeterRegistry();

    private Builder(String name, EventStore store, DataSource dataSource, EventHandler handler) {
      if (name == null || !name.matches("[A-Za-z0-9_.:-]{1,100}")) {
        throw new IllegalArgumentException(
            "subscription name must match [A-Za-z0-9_.:-]{1,100} but was " + name);
      }
      this.name = name;
      this.store = Objects.requireNonNull(store, "store");
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Events read per poll (default 100), 1..10000. */
    public Builder batchSize(int batchSize) {
      this.batchSize = Check.within("batchSize", batchSize, 1, 10_000);
      return this;
    }

    /** Wait between polls once caught up (default 100 ms), {@code > 0}. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Check.positive("pollInterval", pollInterval);
      return this;
    }

    /** Retry waits after handler failures (default {@link Backoff#defaults()}). */
    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /** Clock for the lag gauge and checkpoint timestamps (default system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where the meters go (default a private registry). */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /** The subscription, not started. */
    public CatchUpSubscription build() {
      return new CatchUpSubscription(this);
    }
  }
}
