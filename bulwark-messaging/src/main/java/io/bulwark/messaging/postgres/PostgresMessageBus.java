package io.bulwark.messaging.postgres;

import io.bulwark.eventstore.IdempotentConsumer;
import io.bulwark.eventstore.MessageSink;
import io.bulwark.eventstore.Outbox;
import io.bulwark.eventstore.OutboxMessage;
import io.bulwark.eventstore.OutboxRelay;
import io.bulwark.messaging.BusOptions;
import io.bulwark.messaging.DeadLetterQueue;
import io.bulwark.messaging.MessageBus;
import io.bulwark.messaging.internal.RelayLeadership;
import io.bulwark.messaging.internal.Relays;
import io.bulwark.messaging.internal.Subscriptions;
import java.sql.Connection;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The default bus on one machine: the outbox in PostgreSQL, relayed straight to the consumers of
 * the process that relays. Several processes may share the database (give them the same
 * subscriptions). One of them relays at a time ({@link RelayLeadership}), so one key's messages are
 * delivered in order, one message after the other ({@link MessageSink#oneAtATime}). A message whose
 * effect fails is retried by the relay with back-off, keeping later messages of its key behind it;
 * on its last attempt it is dead-lettered for that consumer and the others go on.
 */
public final class PostgresMessageBus implements MessageBus {

  private final Subscriptions subscriptions;
  private final OutboxRelay.Builder relay;
  private final RelayLeadership leadership;
  private volatile boolean started;

  private PostgresMessageBus(DataSource dataSource, DeadLetterQueue deadLetters, BusOptions o) {
    this.subscriptions = new Subscriptions(dataSource, deadLetters, o.redelivery(), o.registry());
    MessageSink sink = MessageSink.oneAtATime(this::dispatch);
    this.relay = Relays.relay(dataSource, sink, o);
    this.leadership = Relays.leadership(dataSource, sink, o);
  }

  /**
   * A bus over the outbox in {@code dataSource}'s database (migrated with modules {@code
   * eventstore} and {@code messaging}), dead-lettering into {@code deadLetters}; not started.
   */
  public static PostgresMessageBus of(
      DataSource dataSource, DeadLetterQueue deadLetters, BusOptions options) {
    return new PostgresMessageBus(
        Objects.requireNonNull(dataSource, "dataSource"),
        Objects.requireNonNull(deadLetters, "deadLetters"),
        Objects.requireNonNull(options, "options"));
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
    return relay.build().relayOnce();
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
}
