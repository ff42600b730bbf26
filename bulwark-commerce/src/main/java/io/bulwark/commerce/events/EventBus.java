package io.bulwark.commerce.events;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process publication of domain events between bounded contexts. Publishers call it after their
 * transaction committed (each context also keeps its events in its own table), and a failing
 * handler never affects the publisher or other handlers.
 */
public final class EventBus {

  private static final Logger log = LoggerFactory.getLogger(EventBus.class);

  private final List<Consumer<DomainEvent>> handlers = new CopyOnWriteArrayList<>();

  /** Calls {@code handler} for every event published from now on. */
  public void subscribe(Consumer<DomainEvent> handler) {
    handlers.add(handler);
  }

  /** Hands {@code event} to every handler, logging (not throwing) handler failures. */
  public void publish(DomainEvent event) {
    for (Consumer<DomainEvent> h : handlers) {
      try {
        h.accept(event);
      } catch (RuntimeException e) {
        log.warn("event handler failed on {} {}", event.type(), event.aggregateId(), e);
      }
    }
  }
}
