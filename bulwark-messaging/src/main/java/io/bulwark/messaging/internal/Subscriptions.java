package io.bulwark.messaging.internal;

import io.bulwark.eventstore.IdempotentConsumer;
import io.bulwark.eventstore.OutboxMessage;
import io.bulwark.messaging.DeadLetter;
import io.bulwark.messaging.DeadLetterQueue;
import io.bulwark.messaging.Failure;
import io.bulwark.messaging.Redelivery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/**
 * A bus's consumers, whatever the transport: each applies messages through an {@link
 * IdempotentConsumer} (effect and message id commit together), counts what it applied and what
 * failed, and after the last attempt sets the message aside in the dead-letter queue, where it can
 * be replayed through the same consumer.
 */
public final class Subscriptions {

  /** One consumer of one topic. */
  public record Subscriber(
      String topic,
      String consumer,
      IdempotentConsumer idempotent,
      Counter applied,
      Counter failed) {}

  private final DataSource dataSource;
  private final DeadLetterQueue deadLetters;
  private final Redelivery redelivery;
  private final MeterRegistry registry;
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private volatile boolean frozen;

  /** Consumers over {@code dataSource}, dead-lettering into {@code deadLetters}. */
  public Subscriptions(
      DataSource dataSource,
      DeadLetterQueue deadLetters,
      Redelivery redelivery,
      MeterRegistry registry) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.redelivery = Objects.requireNonNull(redelivery, "redelivery");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Adds a consumer; see {@code MessageBus#subscribe}. */
  public void add(String topic, String consumer, IdempotentConsumer.Effect effect) {
    if (frozen) {
      throw new IllegalStateException("subscribe before the bus starts");
    }
    if (topic == null || topic.isBlank() || topic.length() > 200) {
      throw new IllegalArgumentException(
          "topic must be 1..200 non-blank characters but was " + topic);
    }
    for (Subscriber s : subscribers) {
      if (s.topic().equals(topic) && s.consumer().equals(consumer)) {
        throw new IllegalArgumentException(
            "consumer \"" + consumer + "\" already subscribes to topic " + topic);
      }
    }
    IdempotentConsumer idempotent = IdempotentConsumer.of(dataSource, consumer, effect);
    subscribers.add(
        new Subscriber(
            topic,
            consumer,
            idempotent,
            Counter.builder("bulwark.messaging.consumed")
                .tag("consumer", consumer)
                .description("messages whose effect this consumer applied")
                .register(registry),
            Counter.builder("bulwark.messaging.consumer.failures")
                .tag("consumer", consumer)
                .description(
                    "failed attempts to apply a message (each is retried or dead-lettered)")
                .register(registry)));
    deadLetters.onReplay(consumer, this::replay);
  }

  /** No more subscriptions from now on. */
  public void freeze() {
    frozen = true;
  }

  /** The consumers of {@code topic}. */
  public List<Subscriber> of(String topic) {
    List<Subscriber> out = new ArrayList<>(1);
    for (Subscriber s : subscribers) {
      if (s.topic().equals(topic)) {
        out.add(s);
      }
    }
    return out;
  }

  /** Every topic some consumer reads. */
  public Set<String> topics() {
    Set<String> out = new LinkedHashSet<>();
    subscribers.forEach(s -> out.add(s.topic()));
    return out;
  }

  /** The topics of each consumer name. */
  public Map<String, Set<String>> topicsByConsumer() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    subscribers.forEach(
        s -> out.computeIfAbsent(s.consumer(), k -> new LinkedHashSet<>()).add(s.topic()));
    return out;
  }

  /** The consumer {@code consumer} of {@code topic}, or null. */
  public Subscriber find(String topic, String consumer) {
    for (Subscriber s : subscribers) {
      if (s.topic().equals(topic) && s.consumer().equals(consumer)) {
        return s;
      }
    }
    return null;
  }

  /** How retries and dead-lettering go. */
  public Redelivery redelivery() {
    return redelivery;
  }

  /**
   * Applies {@code message} for {@code s}, this being failed attempt number {@code attempt} if it
   * fails. Returns normally when the effect was applied, was a duplicate, or failed for the last
   * time and the message is now dead-lettered; throws the effect's error when it should be retried.
   */
  public void apply(Subscriber s, OutboxMessage message, int attempt) throws Exception {
    try {
      if (s.idempotent().process(message)) {
        s.applied().increment();
      }
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      s.failed().increment();
      if (attempt >= redelivery.maxAttempts()) {
        deadLetters.add(Failure.ofMessage(s.consumer(), message, e, attempt));
        return;
      }
      throw e;
    }
  }

  private boolean replay(DeadLetter letter) throws Exception {
    Subscriber s = find(letter.topic(), letter.consumer());
    if (s == null) {
      throw new IllegalStateException(
          "consumer \"" + letter.consumer() + "\" does not read topic " + letter.topic() + " here");
    }
    boolean applied = s.idempotent().process(message(letter));
    if (applied) {
      s.applied().increment();
    }
    return applied;
  }

  /** The bus message a dead letter was made from. */
  public static OutboxMessage message(DeadLetter letter) {
    UUID id;
    try {
      id = UUID.fromString(letter.messageId());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "dead letter " + letter.id() + " has no message id: " + letter.messageId(), e);
    }
    return new OutboxMessage(
        id, letter.topic(), letter.key(), letter.payload(), letter.createdAt(), letter.attempts());
  }
}
