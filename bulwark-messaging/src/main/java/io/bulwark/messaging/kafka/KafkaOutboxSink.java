package io.bulwark.messaging.kafka;

import io.bulwark.eventstore.MessageSink;
import io.bulwark.eventstore.OutboxMessage;
import io.bulwark.messaging.DeadLetter;
import io.bulwark.messaging.DeadLetters;
import io.bulwark.messaging.Failure;
import io.bulwark.messaging.Redelivery;
import io.bulwark.messaging.internal.Subscriptions;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces outbox messages to Kafka: topic = the message's topic, key = its key (so one aggregate's
 * messages land on one partition, in order), value = its payload, and the message id in header
 * {@value #MESSAGE_ID_HEADER} for consumers to deduplicate on. The producer is idempotent ({@code
 * enable.idempotence=true}, {@code acks=all}): a retried send is written once per partition, and a
 * message counts as delivered only once every in-sync replica has it.
 *
 * <p>A broker that is down or slow makes the send fail with a retriable error: the relay retries
 * the message, forever, and nothing is lost or dead-lettered because of an outage. A message Kafka
 * refuses outright (a topic name Kafka does not allow, a record too large) is retried like a
 * failing consumer and then dead-lettered for consumer {@value #RELAY_CONSUMER}; replaying it sends
 * it again.
 */
final class KafkaOutboxSink implements MessageSink, AutoCloseable {

  /** Header holding the outbox message id (UUID text). */
  static final String MESSAGE_ID_HEADER = "bulwark-message-id";

  /** Consumer name of dead letters the relay could not produce. */
  static final String RELAY_CONSUMER = "kafka-relay";

  private static final Logger log = LoggerFactory.getLogger(KafkaOutboxSink.class);

  private final KafkaSettings settings;
  private final DeadLetters deadLetters;
  private final Redelivery redelivery;
  private KafkaProducer<String, String> producer;

  KafkaOutboxSink(KafkaSettings settings, DeadLetters deadLetters, Redelivery redelivery) {
    this.settings = settings;
    this.deadLetters = deadLetters;
    this.redelivery = redelivery;
  }

  @Override
  public synchronized void deliver(OutboxMessage m) throws Exception {
    try {
      send(m);
    } catch (RetriableException | TimeoutException e) {
      throw e;
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      resetProducer(); // after a refused record an idempotent producer may not take more
      int attempt = m.attempts() + 1;
      if (attempt >= redelivery.maxAttempts()) {
        deadLetters.add(Failure.ofMessage(RELAY_CONSUMER, m, e, attempt));
        return;
      }
      throw e;
    }
  }

  /** Sends a dead letter of {@link #RELAY_CONSUMER} again. */
  synchronized boolean replay(DeadLetter letter) throws Exception {
    send(Subscriptions.message(letter));
    return true;
  }

  private void send(OutboxMessage m) throws Exception {
    ProducerRecord<String, String> record =
        new ProducerRecord<>(m.topic(), null, m.key(), m.payload());
    record
        .headers()
        .add(
            new RecordHeader(
                MESSAGE_ID_HEADER, m.messageId().toString().getBytes(StandardCharsets.UTF_8)));
    try {
      producer().send(record).get(settings.sendTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private KafkaProducer<String, String> producer() {
    if (producer == null) {
      long timeout = settings.sendTimeout().toMillis();
      Map<String, Object> p = new HashMap<>();
      p.put("bootstrap.servers", settings.bootstrapServers());
      p.put("client.id", settings.clientId() + "-relay");
      p.put("enable.idempotence", "true");
      p.put("acks", "all");
      p.put("max.in.flight.requests.per.connection", "5");
      p.put("linger.ms", "0");
      p.put("request.timeout.ms", Long.toString(Math.max(1000, timeout / 2)));
      p.put("delivery.timeout.ms", Long.toString(timeout));
      p.put("max.block.ms", Long.toString(timeout));
      producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }
    return producer;
  }

  private void resetProducer() {
    if (producer != null) {
      try {
        producer.close(java.time.Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("closing the Kafka producer failed", e);
      }
      producer = null;
    }
  }

  @Override
  public synchronized void close() {
    resetProducer();
  }
}
