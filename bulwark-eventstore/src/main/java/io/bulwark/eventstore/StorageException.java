package io.bulwark.eventstore;

/** The database failed or was unreachable; the cause says why. Nothing is known to be written. */
public final class StorageException extends EventStoreException {

  /** {@code message} says what was being done. */
  public StorageException(String message, Throwable cause) {
    super(message + ": " + cause.getMessage(), cause);
  }
}
