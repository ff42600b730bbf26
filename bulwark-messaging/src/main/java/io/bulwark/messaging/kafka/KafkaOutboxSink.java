package io.bulwark.messaging.kafka;

import io.bulwark.eventstore.DeliveryReport;
import io.bulwark.eventstore.MessageSink;
import io.bulwark.eventstore.OutboxMessage;
import io.bulwark.messaging.DeadLetter;
import io.bulwark.messaging.DeadLetters;
import io.bulwark.messaging.Failure;
import io.bulwark.messaging.Redelivery;
import io.bulwark.messaging.internal.Subscriptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
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
 * <p><b>A batch per round trip.</b> Each relay round's whole batch is handed to the producer
 * without waiting ({@code send} returns a future per record), then {@code flush} puts every record
 * still lingering on the wire and waits for all the acknowledgements; only then does the relay
 * delete the acknowledged rows and commit. The producer groups the records into one produce request
 * per broker (several while earlier ones are still in flight), so a batch of 50 costs about one
 * {@code acks=all} round trip instead of 50.
 *
 * <p><b>Order.</b> Records are sent in outbox order; records with one key go to one partition, and
 * the idempotent producer keeps a partition's records in send order on the broker even across its
 * own retries, as long as {@code max.in.flight.requests.per.connection} is at most 5 (it is 5
 * here): the broker accepts a record only after the previous sequence number of its partition.
 *
 * <p><b>Failures.</b> The report counts a record delivered only when it and every record before it
 * in the batch were acknowledged: at the first record that fails, the batch stops (a record refused
 * at once is not followed by any later record of the batch), that record is reported failed (the
 * relay retries it after back-off and holds its key's later messages behind it) and nothing past it
 * is marked relayed, whether or not Kafka acknowledged it. Those later records are sent again in a
 * following round, so Kafka may hold some of them twice: that is the price of never advancing the
 * outbox past an unacknowledged record. Duplicates are harmless because consumers apply a message
 * once in effect ({@link KafkaSubscriber} deduplicates on {@value #MESSAGE_ID_HEADER}), and within
 * one producer session the idempotent producer already drops its own internal retries.
 *
 * <p>A broker that is down or slow makes sends fail with a retriable error: the relay retries, for
 * as long as it takes, and nothing is lost or dead-lettered because of an outage. A record Kafka
 * refuses outright (a topic name Kafka does not allow, a record too large) is retried like a
 * failing consumer and then dead-lettered for consumer {@value #RELAY_CONSUMER}; replaying it sends
 * it again.
 *
 * <p>The one way a key's order can break, which sending one record at a time did not have: a record
 * fails while a later record of its partition, already handed to the producer, is written anyway;
 * that later record then precedes the failed one's retry in the topic. It takes a refusal by the
 * broker itself (the producer's own checks, such as a record too large or a bad topic name, refuse
 * at once and stop the batch before anything later is sent), or a delivery timeout that races the
 * broker coming back.
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
  private final Map<String, Object> producerOverrides;
  private KafkaProducer<String, String> producer;

  KafkaOutboxSink(KafkaSettings settings, DeadLetters deadLetters, Redelivery redelivery) {
    this(settings, deadLetters, redelivery, Map.of());
  }

  /** With producer properties that replace the sink's own (tests add an interceptor). */
  KafkaOutboxSink(
      KafkaSettings settings,
      DeadLetters deadLetters,
      Redelivery redelivery,
      Map<String, Object> producerOverrides) {
    this.settings = settings;
    this.deadLetters = deadLetters;
    this.redelivery = redelivery;
    this.producerOverrides = Map.copyOf(producerOverrides);
  }

  @Override
  public synchronized DeliveryReport deliver(List<OutboxMessage> batch) {
    KafkaProducer<String, String> p = producer();
    List<Future<RecordMetadata>> sent = new ArrayList<>(batch.size());
    for (OutboxMessage m : batch) {
      Future<RecordMetadata> f = send(p, m);
      sent.add(f);
      if (Thread.currentThread().isInterrupted() || f.state() == Future.State.FAILED) {
        break; // nothing later of the batch may overtake a record refused at once
      }
    }
    try {
      p.flush(); // lingering records go now; returns when every record sent has its answer
    } catch (InterruptException e) {
      // its constructor restored the interrupt flag; the report below stops at once
    }
    Set<UUID> delivered = new HashSet<>();
    Map<UUID, Exception> failed = new HashMap<>();
    long deadline = System.nanoTime() + settings.sendTimeout().toNanos() + 5_000_000_000L;
    for (int i = 0; i < sent.size(); i++) {
      OutboxMessage m = batch.get(i);
      try {
        sent.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        delivered.add(m.messageId());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (TimeoutException e) {
        failed.put(m.messageId(), e);
        break;
      } catch (ExecutionException e) {
        Exception cause = e.getCause() instanceof Exception c ? c : e;
        if (refusedForGood(m, cause)) {
          delivered.add(m.messageId());
        } else {
          failed.put(m.messageId(), cause);
        }
        break;
      }
    }
    return new DeliveryReport(delivered, failed);
  }

  /**
   * For a record Kafka refused outright: resets the producer and, on the last attempt, dead-letters
   * it. Returns whether it was set aside (then it leaves the outbox).
   */
  private boolean refusedForGood(OutboxMessage m, Exception e) {
    if (e instanceof RetriableException) {
      return false;
    }
    resetProducer(); // after a refused record an idempotent producer may not take more
    int attempt = m.attempts() + 1;
    if (attempt < redelivery.maxAttempts()) {
      return false;
    }
    try {
      deadLetters.add(Failure.ofMessage(RELAY_CONSUMER, m, e, attempt));
      return true;
    } catch (RuntimeException d) {
      e.addSuppressed(d);
      return false;
    }
  }

  /** A {@code producer-metrics} figure of the current producer ({@code NaN} before the first). */
  synchronized double producerMetric(String name) {
    if (producer == null) {
      return Double.NaN;
    }
    return producer.metrics().entrySet().stream()
        .filter(e -> e.getKey().group().equals("producer-metrics"))
        .filter(e -> e.getKey().name().equals(name))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .findFirst()
        .orElse(Double.NaN);
  }

  /** Sends a dead letter of {@link #RELAY_CONSUMER} again. */
  synchronized boolean replay(DeadLetter letter) throws Exception {
    try {
      send(producer(), Subscriptions.message(letter))
          .get(settings.sendTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
    return true;
  }

  private static Future<RecordMetadata> send(KafkaProducer<String, String> p, OutboxMessage m) {
    ProducerRecord<String, String> record =
        new ProducerRecord<>(m.topic(), null, m.key(), m.payload());
    record
        .headers()
        .add(
            new RecordHeader(
                MESSAGE_ID_HEADER, m.messageId().toString().getBytes(StandardCharsets.UTF_8)));
    try {
      return p.send(record);
    } catch (InterruptException e) {
      return CompletableFuture.failedFuture(e); // the flag is set again: the batch stops
    } catch (KafkaException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private KafkaProducer<String, String> producer() {
    if (producer == null) {
      long timeout = settings.sendTimeout().toMillis();
      long requestTimeout = Math.max(1000, timeout / 2);
      long linger = 5;
      Map<String, Object> p = new HashMap<>();
      p.put("bootstrap.servers", settings.bootstrapServers());
      p.put("client.id", settings.clientId() + "-relay");
      p.put("enable.idempotence", "true");
      p.put("acks", "all");
      // At most 5 unacknowledged requests: the idempotent producer then keeps each partition's
      // records in send order across its retries (Kafka refuses idempotence with more).
      p.put("max.in.flight.requests.per.connection", "5");
      // Kafka's default since 4.0; flush() sends a relay batch at once whatever the linger.
      p.put("linger.ms", Long.toString(linger));
      p.put("request.timeout.ms", Long.toString(requestTimeout));
      p.put("delivery.timeout.ms", Long.toString(Math.max(timeout, requestTimeout + linger)));
      p.put("max.block.ms", Long.toString(timeout));
      p.putAll(producerOverrides);
      producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }
    return producer;
  }

  private void resetProducer() {
    if (producer != null) {
      try {
        producer.close(Duration.ofSeconds(5));
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
