package io.bulwark.messaging.kafka;

/** The local Kafka broker could not start or use its directory; the cause says why. */
public final class KafkaBrokerException extends RuntimeException {

  KafkaBrokerException(String message, Throwable cause) {
    super(cause == null ? message : message + ": " + cause.getMessage(), cause);
  }
}
