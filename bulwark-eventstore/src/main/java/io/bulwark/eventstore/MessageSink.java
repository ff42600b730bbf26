package io.bulwark.eventstore;

/**
 * Where an {@link OutboxRelay} delivers messages: a broker producer, an HTTP call, or an {@link
 * IdempotentConsumer} in the same process. Delivery is at least once, so the receiving side must
 * tolerate duplicates.
 */
@FunctionalInterface
public interface MessageSink {

  /** Delivers {@code message}; returning normally acknowledges it, throwing makes it retried. */
  void deliver(OutboxMessage message) throws Exception;
}
