package io.bulwark.eventstore;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Where an {@link OutboxRelay} delivers messages: a broker producer, an HTTP call, or an {@link
 * IdempotentConsumer} in the same process. The relay hands over each claimed batch at once, so a
 * sink that can pipeline (a Kafka producer) puts the whole batch on the wire in one go; a sink that
 * cannot wraps its per-message delivery with {@link #oneAtATime}. Delivery is at least once, so the
 * receiving side must tolerate duplicates.
 */
@FunctionalInterface
public interface MessageSink {

  /**
   * Delivers {@code batch} (oldest first, as claimed from the outbox) and reports what became of
   * each message: the relay removes the {@link DeliveryReport#delivered() delivered} ones, retries
   * a {@link DeliveryReport#failed() failed} one after back-off (later messages of its key wait
   * behind it), and leaves any other message of the batch for its next round, as if it had not been
   * claimed. A delivery that fails is reported, not thrown; a {@link RuntimeException} rolls the
   * whole round back (every message is claimed again later). A sink that is interrupted restores
   * the thread's interrupt flag and returns what it knows; the relay then stops.
   */
  DeliveryReport deliver(List<OutboxMessage> batch);

  /** Delivers one message: returning normally acknowledges it, throwing makes it retried. */
  @FunctionalInterface
  interface PerMessage {
    /** Delivers {@code message}; throws when it was not delivered. */
    void deliver(OutboxMessage message) throws Exception;
  }

  /**
   * A sink that hands the batch's messages to {@code delivery} one after the other, in order. A
   * message whose delivery throws is reported failed and holds back the later messages of its key
   * in the batch (so one key's order holds); the other keys go on.
   */
  static MessageSink oneAtATime(PerMessage delivery) {
    Objects.requireNonNull(delivery, "delivery");
    return batch -> {
      Set<UUID> delivered = new HashSet<>();
      Map<UUID, Exception> failed = new HashMap<>();
      Set<String> blockedKeys = new HashSet<>();
      for (OutboxMessage m : batch) {
        if (m.key() != null && blockedKeys.contains(m.key())) {
          continue;
        }
        try {
          delivery.deliver(m);
          delivered.add(m.messageId());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        } catch (Exception e) {
          failed.put(m.messageId(), e);
          if (m.key() != null) {
            blockedKeys.add(m.key());
          }
        }
      }
      return new DeliveryReport(delivered, failed);
    };
  }
}
