package io.bulwark.messaging.kafka;

import io.bulwark.eventstore.OutboxMessage;
import io.bulwark.eventstore.internal.PollingLoop;
import io.bulwark.messaging.internal.Subscriptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer group member: reads its consumer's topics, applies each record through the
 * consumer's {@link io.bulwark.eventstore.IdempotentConsumer} (deduplicating on the message id
 * header), retries a failing one in place (so its partition stays in order) and dead-letters it
 * after the last attempt, and commits offsets only after the effects of the records before them
 * committed. A crash between an effect and the offset commit redelivers the record; the consumer
 * recognises it.
 */
final class KafkaSubscriber implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaSubscriber.class);

  private final KafkaSettings settings;
  private final String consumer;
  private final Set<String> topics;
  private final Subscriptions subscriptions;
  private final PollingLoop loop;
  private final Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
  private volatile KafkaConsumer<String, String> kafka;

  KafkaSubscriber(
      KafkaSettings settings, String consumer, Set<String> topics, Subscriptions subscriptions) {
    this.settings = settings;
    this.consumer = consumer;
    this.topics = Set.copyOf(topics);
    this.subscriptions = subscriptions;
    this.loop = new PollingLoop("kafka-consumer-" + consumer);
  }

  void start() {
    loop.start(this::run);
  }

  @Override
  public void close() {
    KafkaConsumer<String, String> k = kafka;
    loop.stop();
    if (k != null) {
      k.wakeup();
    }
    loop.close();
  }

  private void run() {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", settings.bootstrapServers());
    p.put("group.id", consumer);
    p.put("client.id", settings.clientId() + "-" + consumer);
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", "read_committed");
    p.put("max.poll.records", "200");
    try (KafkaConsumer<String, String> k =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      kafka = k;
      k.subscribe(
          topics,
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
              commit(k);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
          });
      while (loop.running()) {
        try {
          ConsumerRecords<String, String> records = k.poll(Duration.ofMillis(200));
          handle(k, records);
          commit(k);
        } catch (WakeupException e) {
          break;
        } catch (RuntimeException e) {
          log.warn("Kafka consumer {} failed a round; retrying: {}", consumer, e.toString());
          loop.pause(subscriptions.redelivery().backoff().initial());
        }
      }
      try {
        commit(k);
      } catch (RuntimeException e) {
        log.debug("final offset commit of {} failed; the records will be redelivered", consumer, e);
      }
    } catch (RuntimeException e) {
      log.error("Kafka consumer {} stopped", consumer, e);
    }
  }

  private void handle(KafkaConsumer<String, String> k, ConsumerRecords<String, String> records) {
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<String, String>> batch = records.records(tp);
      for (ConsumerRecord<String, String> r : batch) {
        if (!apply(r)) {
          // Closing (or interrupted): leave the rest uncommitted; they are read again later.
          k.seek(tp, r.offset());
          return;
        }
        done.put(tp, new OffsetAndMetadata(r.offset() + 1));
      }
    }
  }

  private boolean apply(ConsumerRecord<String, String> r) {
    Subscriptions.Subscriber s = subscriptions.find(r.topic(), consumer);
    if (s == null) {
      return true;
    }
    OutboxMessage m = message(r);
    for (int attempt = 1; ; attempt++) {
      try {
        subscriptions.apply(s, m, attempt);
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        loop.stop();
        return false;
      } catch (Exception e) {
        Duration delay = subscriptions.redelivery().backoff().delay(attempt);
        log.warn(
            "{} failed to apply message {} from {} (attempt {}), retrying in {}: {}",
            consumer,
            m.messageId(),
            r.topic() + "-" + r.partition() + "@" + r.offset(),
            attempt,
            delay,
            e.toString());
        loop.pause(delay);
        if (!loop.running()) {
          return false;
        }
      }
    }
  }

  private void commit(KafkaConsumer<String, String> k) {
    if (!done.isEmpty()) {
      k.commitSync(done);
      done.clear();
    }
  }

  /**
   * The message a record carries: its id from the {@value KafkaOutboxSink#MESSAGE_ID_HEADER}
   * header, or, for a record some other producer wrote without one, an id derived from its topic,
   * partition and offset (so a redelivery of it is still recognised).
   */
  static OutboxMessage message(ConsumerRecord<String, String> r) {
    UUID id = null;
    Header h = r.headers().lastHeader(KafkaOutboxSink.MESSAGE_ID_HEADER);
    if (h != null && h.value() != null) {
      try {
        id = UUID.fromString(new String(h.value(), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        id = null;
      }
    }
    if (id == null) {
      id =
          UUID.nameUUIDFromBytes(
              (r.topic() + "/" + r.partition() + "/" + r.offset())
                  .getBytes(StandardCharsets.UTF_8));
    }
    return new OutboxMessage(
        id,
        r.topic(),
        r.key(),
        r.value() == null ? "" : r.value(),
        Instant.ofEpochMilli(Math.max(0, r.timestamp())),
        0);
  }
}
