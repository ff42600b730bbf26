package io.bulwark.messaging.postgres;

import io.bulwark.eventstore.IdempotentConsumer;
import io.bulwark.eventstore.Outbox;
import io.bulwark.eventstore.OutboxMessage;
import io.bulwark.eventstore.OutboxRelay;
import io.bulwark.kernel.Check;
import io.bulwark.messaging.DeadLetterQueue;
import io.bulwark.messaging.MessageBus;
import io.bulwark.messaging.Redelivery;
import io.bulwark.messaging.internal.RelayLeadership;
import io.bulwark.messaging.internal.Subscriptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The default bus on one machine: the outbox in PostgreSQL, relayed straight to the consumers of
 * the process that relays. Several processes may share the database (give them the same
 * subscriptions). One of them relays at a time ({@link RelayLeadership}), so one key's messages are
 * delivered in order. A message whose effect fails is retried by the relay with back-off, keeping
 * later messages of its key behind it; on its last attempt it is dead-lettered for that consumer
 * and the others go on.
 */
public final class PostgresMessageBus implements MessageBus {

  private final Subscriptions subscriptions;
  private final Supplier<OutboxRelay> relays;
  private final RelayLeadership leadership;
  private volatile boolean started;

  private PostgresMessageBus(Builder b) {
    this.subscriptions = new Subscriptions(b.dataSource, b.deadLetters, b.redelivery, b.registry);
    OutboxRelay.Builder relay =
        OutboxRelay.builder(b.dataSource, this::dispatch)
            .batchSize(b.batchSize)
            .pollInterval(b.pollInterval)
            .backoff(b.redelivery.backoff())
            .meterRegistry(b.registry);
    this.relays = relay::build;
    this.leadership = new RelayLeadership(b.dataSource, relays, Duration.ofSeconds(1), b.registry);
  }

  /** A builder for a bus over {@code dataSource}, dead-lettering into {@code deadLetters}. */
  public static Builder builder(DataSource dataSource, DeadLetterQueue deadLetters) {
    return new Builder(dataSource, deadLetters);
  }

  @Override
  public UUID publish(Connection transaction, String topic, String key, String payload) {
    return Outbox.enqueue(transaction, topic, key, payload);
  }

  @Override
  public void subscribe(String topic, String consumer, IdempotentConsumer.Effect effect) {
    subscriptions.add(topic, consumer, effect);
  }

  @Override
  public synchronized PostgresMessageBus start() {
    if (started) {
      throw new IllegalStateException("the bus was already started");
    }
    started = true;
    subscriptions.freeze();
    leadership.start();
    return this;
  }

  /**
   * One relay round in the caller's thread, whether or not this process leads (for tests and
   * tools); returns messages delivered.
   */
  public int relayOnce() {
    subscriptions.freeze();
    return relays.get().relayOnce();
  }

  @Override
  public String transport() {
    return "postgres";
  }

  @Override
  public void close() {
    leadership.close();
  }

  private void dispatch(OutboxMessage m) throws Exception {
    Exception retry = null;
    for (Subscriptions.Subscriber s : subscriptions.of(m.topic())) {
      try {
        subscriptions.apply(s, m, m.attempts() + 1);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        if (retry == null) {
          retry = e;
        } else {
          retry.addSuppressed(e);
        }
      }
    }
    if (retry != null) {
      throw retry; // the relay retries; consumers that applied it recognise the message
    }
  }

  /** Builds a {@link PostgresMessageBus}; each method checks its value. */
  public static final class Builder {
    private final DataSource dataSource;
    private final DeadLetterQueue deadLetters;
    private Redelivery redelivery = Redelivery.defaults();
    private int batchSize = 100;
    private Duration pollInterval = Duration.ofMillis(50);
    private MeterRegistry registry = new SimpleMeterRegistry();

    private Builder(DataSource dataSource, DeadLetterQueue deadLetters) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    /** Retries before dead-lettering (default {@link Redelivery#defaults()}). */
    public Builder redelivery(Redelivery redelivery) {
      this.redelivery = Objects.requireNonNull(redelivery, "redelivery");
      return this;
    }

    /** Messages relayed per round (default 100), 1..10000. */
    public Builder batchSize(int batchSize) {
      this.batchSize = Check.within("batchSize", batchSize, 1, 10_000);
      return this;
    }

    /** Wait between rounds when the outbox is empty (default 50 ms), {@code > 0}. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Check.positive("pollInterval", pollInterval);
      return this;
    }

    /** Where the meters go (default a private registry). */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The bus, not started. */
    public PostgresMessageBus build() {
      return new PostgresMessageBus(this);
    }
  }
}
