package io.bulwark.messaging;

import io.bulwark.kernel.ProblemException;
import java.util.Map;

/**
 * What the message bus or the dead-letter queue could not do, as a problem a caller sees: a dead
 * letter that does not exist, one already resolved, a replay whose effect failed again, no consumer
 * to replay to, bad input, or a database that failed.
 */
public abstract sealed class MessagingException extends ProblemException {

  MessagingException(
      int status, String type, String title, String detail, Map<String, Object> ext, Throwable c) {
    super(status, type, title, detail, ext, c);
  }

  /** No dead letter has that id (404). */
  public static final class NotFound extends MessagingException {
    /** {@code detail} names what was looked for. */
    public NotFound(String detail) {
      super(404, "not-found", "Not found", detail, Map.of(), null);
    }
  }

  /** The dead letter was already resolved in a way that forbids the request (409). */
  public static final class AlreadyResolved extends MessagingException {
    /** {@code detail} says how it was resolved and when. */
    public AlreadyResolved(String detail) {
      super(409, "dead-letter-resolved", "Dead letter already resolved", detail, Map.of(), null);
    }
  }

  /** No consumer of that name runs in this process, so nothing can apply the letter (409). */
  public static final class NoConsumer extends MessagingException {
    /** {@code detail} names the consumer. */
    public NoConsumer(String detail) {
      super(409, "no-consumer", "No consumer to replay to", detail, Map.of(), null);
    }
  }

  /** The replayed effect failed again; the letter stays in the queue (422). */
  public static final class ReplayFailed extends MessagingException {
    /** {@code detail} carries the effect's error; {@code cause} is that error. */
    public ReplayFailed(String detail, Throwable cause) {
      super(422, "replay-failed", "Replay failed", detail, Map.of(), cause);
    }
  }

  /** A request parameter is invalid (400). */
  public static final class InvalidInput extends MessagingException {
    /** {@code field} names the parameter, {@code detail} the rule and the value. */
    public InvalidInput(String field, String detail) {
      super(400, "invalid-input", "Invalid input", detail, Map.of("field", field), null);
    }
  }

  /** The database failed or was unreachable (503); the cause says why. */
  public static final class Unavailable extends MessagingException {
    /** {@code detail} says what was being done. */
    public Unavailable(String detail, Throwable cause) {
      super(
          503,
          "unavailable",
          "Service unavailable",
          detail + ": " + cause.getMessage(),
          Map.of("retryAfterSeconds", 1),
          cause);
    }
  }
}
