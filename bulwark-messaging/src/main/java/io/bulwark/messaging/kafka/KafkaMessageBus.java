package io.bulwark.messaging.kafka;

import io.bulwark.eventstore.IdempotentConsumer;
import io.bulwark.eventstore.Outbox;
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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus on Apache Kafka: the transactional outbox in PostgreSQL is relayed to Kafka topics by an
 * idempotent producer ({@link KafkaOutboxSink}), and each consumer reads its topics as a Kafka
 * consumer group, applying records once in effect and committing offsets after the effects. On
 * start it creates the topics it knows (its consumers' and those given to {@link Builder#topics})
 * when they are missing.
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
  private final Set<String> topics;
  private final List<KafkaSubscriber> consumers = new ArrayList<>();
  private volatile boolean started;

  private KafkaMessageBus(Builder b) {
    this.settings = b.settings;
    this.subscriptions = new Subscriptions(b.dataSource, b.deadLetters, b.redelivery, b.registry);
    this.sink = new KafkaOutboxSink(b.settings, b.deadLetters, b.redelivery);
    this.topics = Set.copyOf(b.topics);
    OutboxRelay.Builder relay =
        OutboxRelay.builder(b.dataSource, sink)
            .batchSize(b.batchSize)
            .pollInterval(b.pollInterval)
            .backoff(b.redelivery.backoff())
            .meterRegistry(b.registry);
    this.leadership =
        new RelayLeadership(b.dataSource, relay::build, Duration.ofSeconds(1), b.registry);
    b.deadLetters.onReplay(KafkaOutboxSink.RELAY_CONSUMER, sink::replay);
  }

  /**
   * A builder for a bus whose outbox is in {@code dataSource}'s database, relaying to the cluster
   * of {@code settings} and dead-lettering into {@code deadLetters}.
   */
  public static Builder builder(
      javax.sql.DataSource dataSource, DeadLetterQueue deadLetters, KafkaSettings settings) {
    return new Builder(dataSource, deadLetters, settings);
  }

  @Override
  public UUID publish(Connection transaction, String topic, String key, String payload) {
    return Outbox.enqueue(transaction, topic, key, payload);
  }

  @Override
  public void subscribe(String topic, String consumer, IdempotentConsumer.Effect effect) {
    if (!topic.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new IllegalArgumentException(
          "a Kafka topic must be 1..200 of [A-Za-z0-9._-] but was \"" + topic + "\"");
    }
    subscriptions.add(topic, consumer, effect);
  }

  @Override
  public synchronized KafkaMessageBus start() {
    if (started) {
      throw new IllegalStateException("the bus was already started");
    }
    started = true;
    subscriptions.freeze();
    Set<String> all = new LinkedHashSet<>(topics);
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

  /** Builds a {@link KafkaMessageBus}; each method checks its value. */
  public static final class Builder {
    private final javax.sql.DataSource dataSource;
    private final DeadLetterQueue deadLetters;
    private final KafkaSettings settings;
    private final Set<String> topics = new LinkedHashSet<>();
    private Redelivery redelivery = Redelivery.defaults();
    private int batchSize = 100;
    private Duration pollInterval = Duration.ofMillis(50);
    private MeterRegistry registry = new SimpleMeterRegistry();

    private Builder(
        javax.sql.DataSource dataSource, DeadLetterQueue deadLetters, KafkaSettings settings) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
      this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Topics to create at start besides the consumers' (the ones this process publishes to). */
    public Builder topics(String... names) {
      for (String n : names) {
        if (n == null || !n.matches("[A-Za-z0-9._-]{1,200}")) {
          throw new IllegalArgumentException(
              "a Kafka topic must be 1..200 of [A-Za-z0-9._-] but was \"" + n + "\"");
        }
        topics.add(n);
      }
      return this;
    }

    /** Retries before dead-lettering (default {@link Redelivery#defaults()}). */
    public Builder redelivery(Redelivery redelivery) {
      this.redelivery = Objects.requireNonNull(redelivery, "redelivery");
      return this;
    }

    /** Messages the relay claims per round (default 100), 1..10000. */
    public Builder batchSize(int batchSize) {
      this.batchSize = Check.within("batchSize", batchSize, 1, 10_000);
      return this;
    }

    /** The relay's wait when the outbox is empty (default 50 ms), {@code > 0}. */
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
    public KafkaMessageBus build() {
      return new KafkaMessageBus(this);
    }
  }
}
