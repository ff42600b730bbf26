package io.bulwark.eventstore;

/** Something the event store, its subscriptions or its outbox could not do. */
public abstract sealed class EventStoreException extends RuntimeException
    permits WrongExpectedVersionException, ConcurrentAppendException, StorageException {

  EventStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
