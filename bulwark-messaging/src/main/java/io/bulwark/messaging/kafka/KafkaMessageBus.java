package io.bulwark.messaging.kafka;

import io.bulwark.eventstore.IdempotentConsumer;
import io.bulwark.eventstore.Outbox;
import io.bulwark.messaging.BusOptions;
import io.bulwark.messaging.DeadLetterQueue;
import io.bulwark.messaging.MessageBus;
import io.bulwark.messaging.internal.RelayLeadership;
import io.bulwark.messaging.internal.Relays;
import io.bulwark.messaging.internal.Subscriptions;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus on Apache Kafka: the transactional outbox in PostgreSQL is relayed to Kafka topics by an
 * idempotent producer ({@link KafkaOutboxSink}), and each consumer reads its topics as a Kafka
 * consumer group, applying records once in effect and committing offsets after the effects. On
 * start it creates the topics it knows (its consumers' and {@link KafkaSettings#topics()}) when
 * they are missing.
 *
 * <p>The bus owns the database's outbox: every process of a shop may run one, and one of them
 * relays at a time ({@link RelayLeadership}), so one key's messages reach Kafka in order; every
 * process consumes.
 */
public final class KafkaMessageBus implements MessageBus {

  private static final Logger log = LoggerFactory.getLogger(KafkaMessageBus.class);

  private final KafkaSettings settings;
  private final Subscriptions subscriptions;
  private final KafkaOutboxSink sink;
  private final RelayLeadership leadership;
  private final List<KafkaSubscriber> consumers = new ArrayList<>();
  private volatile boolean started;

  private KafkaMessageBus(
      DataSource dataSource, DeadLetterQueue deadLetters, KafkaSettings settings, BusOptions o) {
    this.settings = settings;
    this.subscriptions = new Subscriptions(dataSource, deadLetters, o.redelivery(), o.registry());
    this.sink = new KafkaOutboxSink(settings, deadLetters, o.redelivery());
    this.leadership = Relays.leadership(dataSource, sink, o);
    deadLetters.onReplay(KafkaOutboxSink.RELAY_CONSUMER, sink::replay);
  }

  /**
   * A bus whose outbox is in {@code dataSource}'s database (migrated with modules {@code
   * eventstore} and {@code messaging}), relaying to the cluster of {@code settings} and
   * dead-lettering into {@code deadLetters}; not started.
   */
  public static KafkaMessageBus of(
      DataSource dataSource,
      DeadLetterQueue deadLetters,
      KafkaSettings settings,
      BusOptions options) {
    return new KafkaMessageBus(
        Objects.requireNonNull(dataSource, "dataSource"),
        Objects.requireNonNull(deadLetters, "deadLetters"),
        Objects.requireNonNull(settings, "settings"),
        Objects.requireNonNull(options, "options"));
  }

  @Override
  public UUID publish(Connection transaction, String topic, String key, String payload) {
    return Outbox.enqueue(transaction, topic, key, payload);
  }

  @Override
  public void subscribe(String topic, String consumer, IdempotentConsumer.Effect effect) {
    subscriptions.add(KafkaSettings.checkTopic(topic), consumer, effect);
  }

  @Override
  public synchronized KafkaMessageBus start() {
    if (started) {
      throw new IllegalStateException("the bus was already started");
    }
    started = true;
    subscriptions.freeze();
    Set<String> all = new LinkedHashSet<>(settings.topics());
    all.addAll(subscriptions.topics());
    createTopics(all);
    leadership.start();
    for (Map.Entry<String, Set<String>> e : subscriptions.topicsByConsumer().entrySet()) {
      KafkaSubscriber s = new KafkaSubscriber(settings, e.getKey(), e.getValue(), subscriptions);
      consumers.add(s);
      s.start();
    }
    return this;
  }

  @Override
  public String transport() {
    return "kafka";
  }

  /** The cluster this bus talks to. */
  public KafkaSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    leadership.close();
    consumers.forEach(KafkaSubscriber::close);
    sink.close();
  }

  private void createTopics(Set<String> names) {
    if (names.isEmpty()) {
      return;
    }
    List<NewTopic> wanted = new ArrayList<>();
    for (String name : names) {
      wanted.add(new NewTopic(name, settings.partitions(), settings.replicationFactor()));
    }
    try (Admin admin =
        Admin.create(
            Map.of(
                "bootstrap.servers",
                settings.bootstrapServers(),
                "client.id",
                settings.clientId() + "-admin",
                "request.timeout.ms",
                "10000",
                "default.api.timeout.ms",
                "15000"))) {
      for (var entry : admin.createTopics(wanted).values().entrySet()) {
        try {
          entry.getValue().get(20, TimeUnit.SECONDS);
          log.info("created Kafka topic {}", entry.getKey());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            log.warn(
                "cannot create Kafka topic {} (the broker may create it on first use): {}",
                entry.getKey(),
                e.getCause().toString());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
      log.warn("cannot create Kafka topics {}: {}", names, e.toString());
    }
  }
}
