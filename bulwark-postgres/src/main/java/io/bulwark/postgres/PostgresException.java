package io.bulwark.postgres;

/** A PostgreSQL server or database could not be started, reached or prepared. */
public final class PostgresException extends RuntimeException {

  public PostgresException(String message) {
    super(message);
  }

  public PostgresException(String message, Throwable cause) {
    super(message, cause);
  }
}
