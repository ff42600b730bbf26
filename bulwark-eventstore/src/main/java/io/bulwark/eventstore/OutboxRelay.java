package io.bulwark.eventstore;

import io.bulwark.eventstore.internal.PollingLoop;
import io.bulwark.kernel.Check;
import io.bulwark.kernel.RetryLog;
import io.bulwark.postgres.DataAccessException;
import io.bulwark.postgres.PostgresTransactions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers committed {@link Outbox} messages to a {@link MessageSink}, at least once.
 *
 * <p>Each round claims up to {@code batchSize} due messages with {@code SELECT … FOR UPDATE SKIP
 * LOCKED} (so several relays, in one or many processes, share the work without blocking each
 * other), hands the whole batch, in id order, to the sink in one call ({@link
 * MessageSink#deliver}), deletes the messages the sink reports delivered and commits. A crash after
 * a delivery but before the commit delivers that message again: consumers deduplicate with {@link
 * IdempotentConsumer}. A failed delivery is retried after {@link Backoff} (attempts and last error
 * are kept on the row), and later messages with the same key wait until it is delivered, so one
 * relay keeps per-key order. A message the sink did not attempt stays as it was and is claimed
 * again in the next round. With several relays, per-key order is not guaranteed.
 *
 * <p>Meters: {@code bulwark.eventstore.outbox.delivered} and {@code
 * bulwark.eventstore.outbox.failures}.
 */
public final class OutboxRelay implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  private final RetryLog rounds = new RetryLog(log, "the outbox relay");

  private final PostgresTransactions transactions;
  private final MessageSink sink;
  private final int batchSize;
  private final Duration pollInterval;
  private final Backoff backoff;
  private final Counter delivered;
  private final Counter failures;
  private final PollingLoop loop;

  private OutboxRelay(Builder b) {
    this.transactions = PostgresTransactions.of(b.dataSource);
    this.sink = b.sink;
    this.loop = new PollingLoop("outbox-relay");
    this.batchSize = b.batchSize;
    this.pollInterval = b.pollInterval;
    this.backoff = b.backoff;
    this.delivered =
        Counter.builder("bulwark.eventstore.outbox.delivered")
            .description("outbox messages delivered and removed")
            .register(b.meterRegistry);
    this.failures =
        Counter.builder("bulwark.eventstore.outbox.failures")
            .description("failed deliveries (each is retried)")
            .register(b.meterRegistry);
  }

  /** A builder for a relay from the outbox in {@code dataSource} to {@code sink}. */
  public static Builder builder(DataSource dataSource, MessageSink sink) {
    return new Builder(dataSource, sink);
  }

  /**
   * One round: claims due messages, delivers them, commits. Returns how many were delivered.
   *
   * @throws StorageException the database failed (nothing of this round is committed)
   */
  public int relayOnce() {
    int count;
    try {
      count = transactions.inNewTransaction(this::relay);
    } catch (DataAccessException e) {
      throw new StorageException("cannot relay the outbox", e);
    }
    delivered.increment(count);
    return count;
  }

  /** Relays on a background thread until {@link #close()}; returns at once. */
  public OutboxRelay start() {
    loop.start(this::run);
    return this;
  }

  /** Stops after the current round and waits for it. */
  @Override
  public void close() {
    loop.close();
  }

  private void run() {
    while (loop.running()) {
      try {
        int relayed = relayOnce();
        rounds.succeeded();
        if (relayed < batchSize) {
          loop.pause(pollInterval);
        }
      } catch (RuntimeException e) {
        rounds.failed(e);
        loop.pause(backoff.initial());
      }
    }
  }

  private int relay(Connection c) throws SQLException {
    List<OutboxMessage> claimed = new ArrayList<>();
    List<Long> rowIds = new ArrayList<>();
    try (PreparedStatement st =
        c.prepareStatement(
            "select id, message_id, topic, key, payload, created_at, attempts"
                + " from eventstore_outbox o where next_attempt_at <= now()"
                + " and not exists (select 1 from eventstore_outbox waiting"
                + " where waiting.key = o.key and waiting.id < o.id"
                + " and waiting.next_attempt_at > now())"
                + " order by id limit ? for update skip locked")) {
      st.setInt(1, batchSize);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          rowIds.add(rs.getLong(1));
          claimed.add(
              new OutboxMessage(
                  rs.getObject(2, UUID.class),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getTimestamp(6).toInstant(),
                  rs.getInt(7)));
        }
      }
    }
    DeliveryReport report = sink.deliver(List.copyOf(claimed));
    if (Thread.currentThread().isInterrupted()) {
      loop.stop();
    }
    List<Long> done = new ArrayList<>();
    for (int i = 0; i < claimed.size(); i++) {
      OutboxMessage m = claimed.get(i);
      if (report.delivered().contains(m.messageId())) {
        done.add(rowIds.get(i));
        continue;
      }
      Exception e = report.failed().get(m.messageId());
      if (e == null) {
        continue; // not attempted: claimed again next round, no attempt counted
      }
      failures.increment();
      Duration delay = backoff.delay(m.attempts() + 1);
      log.warn(
          "delivering outbox message {} on {} failed (attempt {}), retrying in {}: {}",
          m.messageId(),
          m.topic(),
          m.attempts() + 1,
          delay,
          e.toString());
      try (PreparedStatement st =
          c.prepareStatement(
              "update eventstore_outbox set attempts = attempts + 1, last_error = ?,"
                  + " next_attempt_at = now() + ? * interval '1 microsecond' where id = ?")) {
        st.setString(1, String.valueOf(e));
        st.setLong(2, TimeUnit.NANOSECONDS.toMicros(delay.toNanos()));
        st.setLong(3, rowIds.get(i));
        st.executeUpdate();
      }
    }
    if (!done.isEmpty()) {
      try (PreparedStatement st =
          c.prepareStatement("delete from eventstore_outbox where id = any (?)")) {
        st.setArray(1, c.createArrayOf("int8", done.toArray()));
        st.executeUpdate();
      }
    }
    return done.size();
  }

  /** Builds an {@link OutboxRelay}; each method checks its value. */
  public static final class Builder {
    private final DataSource dataSource;
    private final MessageSink sink;
    private int batchSize = 50;
    private Duration pollInterval = Duration.ofMillis(100);
    private Backoff backoff = Backoff.defaults();
    private MeterRegistry meterRegistry = new SimpleMeterRegistry();

    private Builder(DataSource dataSource, MessageSink sink) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Messages claimed per round (default 50), 1..10000. */
    public Builder batchSize(int batchSize) {
      this.batchSize = Check.within("batchSize", batchSize, 1, 10_000);
      return this;
    }

    /** Wait between rounds when the outbox is drained (default 100 ms), {@code > 0}. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Check.positive("pollInterval", pollInterval);
      return this;
    }

    /** Retry waits after failed deliveries (default {@link Backoff#defaults()}). */
    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /** Where the meters go (default a private registry). */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /** The relay, not started. */
    public OutboxRelay build() {
      return new OutboxRelay(this);
    }
  }
}
