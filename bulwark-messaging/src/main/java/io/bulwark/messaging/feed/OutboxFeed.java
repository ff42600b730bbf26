package io.bulwark.messaging.feed;

import io.bulwark.eventstore.Outbox;
import io.bulwark.eventstore.internal.PollingLoop;
import io.bulwark.kernel.Check;
import io.bulwark.kernel.RetryLog;
import io.bulwark.messaging.MessagingException;
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
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the events of a {@link FeedSource} into the transactional outbox as messages on one topic,
 * exactly once: each round reads a batch after the feed's checkpoint (table {@code
 * messaging_feeds}), enqueues one message per event and moves the checkpoint, all in one
 * transaction. A crash before the commit copies the same batch again next time; after it, never.
 * Several processes may run the same feed: a round holds a transaction-scoped advisory lock named
 * after the feed, so one copies while the others skip the round.
 *
 * <p>This is how a shop publishes events it already records (its event store, an event table)
 * without touching the code that records them. Meter: {@code bulwark.messaging.feed.copied} tagged
 * {@code feed}.
 */
public final class OutboxFeed implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OutboxFeed.class);

  private final String name;
  private final PostgresTransactions transactions;
  private final FeedSource source;
  private final String topic;
  private final int batchSize;
  private final Duration pollInterval;
  private final Counter copied;
  private final PollingLoop loop;

  private OutboxFeed(Builder b) {
    this.name = b.name;
    this.transactions = PostgresTransactions.of(b.dataSource);
    this.source = b.source;
    this.topic = b.topic;
    this.batchSize = b.batchSize;
    this.pollInterval = b.pollInterval;
    this.copied =
        Counter.builder("bulwark.messaging.feed.copied")
            .tag("feed", b.name)
            .description("events copied into the outbox")
            .register(b.registry);
    this.loop = new PollingLoop("feed-" + b.name);
  }

  /**
   * A builder for feed {@code name} copying {@code source}'s events to {@code topic} in the outbox
   * of {@code dataSource}'s database (migrated with modules {@code eventstore} and {@code
   * messaging}).
   */
  public static Builder builder(
      String name, DataSource dataSource, FeedSource source, String topic) {
    return new Builder(name, dataSource, source, topic);
  }

  /** The feed's name. */
  public String name() {
    return name;
  }

  /**
   * One round in the caller's thread: returns how many events were copied (0 when another process
   * holds the feed this moment).
   *
   * @throws MessagingException.Unavailable the database failed (nothing of the round committed)
   */
  public int copyOnce() {
    int n;
    try {
      n = transactions.inTransaction(this::copy);
    } catch (DataAccessException e) {
      throw new MessagingException.Unavailable("feed " + name + " cannot copy events", e);
    }
    copied.increment(n);
    return n;
  }

  /** Copies on a background thread until {@link #close()}; returns at once. */
  public OutboxFeed start() {
    loop.start(this::run);
    return this;
  }

  /** Stops after the round in hand and waits for it. */
  @Override
  public void close() {
    loop.close();
  }

  private void run() {
    RetryLog rounds = new RetryLog(log, "feed " + name);
    while (loop.running()) {
      try {
        int copied = copyOnce();
        rounds.succeeded();
        if (copied < batchSize) {
          loop.pause(pollInterval);
        }
      } catch (RuntimeException e) {
        rounds.failed(e);
        loop.pause(pollInterval.multipliedBy(10));
      }
    }
  }

  private int copy(Connection c) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "select pg_try_advisory_xact_lock(hashtext('bulwark.feed'), hashtext(?))")) {
      st.setString(1, name);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return 0;
        }
      }
    }
    String checkpoint = "";
    try (PreparedStatement st =
        c.prepareStatement("select checkpoint from messaging_feeds where name = ?")) {
      st.setString(1, name);
      try (ResultSet rs = st.executeQuery()) {
        if (rs.next()) {
          checkpoint = rs.getString(1);
        }
      }
    }
    FeedSource.Batch batch = source.read(c, checkpoint, batchSize);
    for (FeedSource.Item item : batch.items()) {
      Outbox.enqueue(c, topic, item.key(), item.payload());
    }
    if (!batch.checkpoint().equals(checkpoint)) {
      try (PreparedStatement st =
          c.prepareStatement(
              "insert into messaging_feeds (name, checkpoint) values (?, ?) on conflict (name)"
                  + " do update set checkpoint = excluded.checkpoint, updated_at = now()")) {
        st.setString(1, name);
        st.setString(2, batch.checkpoint());
        st.executeUpdate();
      }
    }
    return batch.items().size();
  }

  /** Builds an {@link OutboxFeed}; each method checks its value. */
  public static final class Builder {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private final String name;
    private final DataSource dataSource;
    private final FeedSource source;
    private final String topic;
    private int batchSize = 500;
    private Duration pollInterval = Duration.ofMillis(100);
    private MeterRegistry registry = new SimpleMeterRegistry();

    private Builder(String name, DataSource dataSource, FeedSource source, String topic) {
      Check.matches("name", name, NAME, "1..100 of [A-Za-z0-9._-]");
      if (topic == null || topic.isBlank() || topic.length() > 200) {
        throw new IllegalArgumentException(
            "topic must be 1..200 non-blank characters but was " + topic);
      }
      this.name = name;
      this.topic = topic;
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.source = Objects.requireNonNull(source, "source");
    }

    /** Events copied per round (default 500), 1..10000. */
    public Builder batchSize(int batchSize) {
      this.batchSize = Check.within("batchSize", batchSize, 1, 10_000);
      return this;
    }

    /** Wait between rounds when caught up (default 100 ms), {@code > 0}. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Check.positive("pollInterval", pollInterval);
      return this;
    }

    /** Where the meter goes (default a private registry). */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The feed, not started. */
    public OutboxFeed build() {
      return new OutboxFeed(this);
    }
  }
}
