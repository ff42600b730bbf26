package io.bulwark.states.durable;

import io.bulwark.kernel.ProblemException;
import java.util.List;
import java.util.Map;

/**
 * Why an engine operation was refused; rendered as problem+json by the HTTP API. Every constructor
 * has a variant taking the failure that caused it; use it inside {@code catch} blocks.
 */
public abstract sealed class StatesException extends ProblemException
    permits StatesException.NotFound,
        StatesException.Conflict,
        StatesException.Invalid,
        StatesException.Forbidden,
        StatesException.TimedOut {

  private StatesException(
      int status,
      String type,
      String title,
      String message,
      Map<String, Object> extensions,
      Throwable cause) {
    super(status, type, title, message, extensions, cause);
  }

  /** No such state machine, execution or task token (404). */
  public static final class NotFound extends StatesException {

    /** {@code what} is {@code state-machine}, {@code execution} or {@code task-token}. */
    public NotFound(String what, String message) {
      this(what, message, null);
    }

    /** As {@link #NotFound(String, String)}, found while handling {@code cause}. */
    public NotFound(String what, String message, Throwable cause) {
      super(404, what + "-not-found", "Not found", message, Map.of(), cause);
    }
  }

  /**
   * A callback for a task that timed out (its {@code TimeoutSeconds} or {@code HeartbeatSeconds}
   * ran out) or whose execution ended while it waited (410): the Step Functions API answers {@code
   * TaskTimedOut}.
   */
  public static final class TimedOut extends StatesException {

    /** {@code message} names the token and why it is closed. */
    public TimedOut(String message) {
      this(message, null);
    }

    /** As {@link #TimedOut(String)}, found while handling {@code cause}. */
    public TimedOut(String message, Throwable cause) {
      super(410, "task-timed-out", "Task timed out", message, Map.of(), cause);
    }
  }

  /** The operation does not fit the execution's status, or the name is taken (409). */
  public static final class Conflict extends StatesException {

    /** {@code kind} is a slug like {@code execution-not-redrivable}. */
    public Conflict(String kind, String message) {
      this(kind, message, null);
    }

    /** As {@link #Conflict(String, String)}, found while handling {@code cause}. */
    public Conflict(String kind, String message, Throwable cause) {
      super(409, kind, "Conflict", message, Map.of(), cause);
    }
  }

  /**
   * The state machine belongs to the server (it has {@linkplain Engine.Builder#ownTask own task
   * bindings}): the API may read its executions but not redefine it, start it or redrive it (403).
   */
  public static final class Forbidden extends StatesException {

    /** {@code machine} is the server's own; {@code message} says which operation was refused. */
    public Forbidden(String machine, String message) {
      this(machine, message, null);
    }

    /** As {@link #Forbidden(String, String)}, found while handling {@code cause}. */
    public Forbidden(String machine, String message, Throwable cause) {
      super(
          403,
          "state-machine-reserved",
          "Forbidden",
          message,
          Map.of("stateMachineName", machine),
          cause);
    }
  }

  /** An invalid definition or request (400), with every validation error. */
  public static final class Invalid extends StatesException {
    private final List<String> errors;

    /** An invalid input with the list of errors (each prefixed with its JSON path). */
    public Invalid(String message, List<String> errors) {
      this(message, errors, null);
    }

    /** As {@link #Invalid(String, List)}, found while handling {@code cause}. */
    public Invalid(String message, List<String> errors, Throwable cause) {
      super(
          400,
          "invalid-definition",
          "Invalid request",
          message,
          Map.of("errors", List.copyOf(errors)),
          cause);
      this.errors = List.copyOf(errors);
    }

    /** Every error found. */
    public List<String> errors() {
      return errors;
    }
  }
}
