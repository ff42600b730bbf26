package io.bulwark.states.durable;

import io.bulwark.kernel.Problem;
import java.util.Map;

/** Why an engine operation was refused; rendered as problem+json by the HTTP API. */
public abstract sealed class StatesException extends RuntimeException implements Problem
    permits StatesException.NotFound, StatesException.Conflict, StatesException.Invalid {

  private StatesException(String message) {
    super(message);
  }

  @Override
  public String detail() {
    return getMessage();
  }

  /** No such state machine, execution or task token (404). */
  public static final class NotFound extends StatesException {
    private final String what;

    /** {@code what} is {@code state-machine}, {@code execution} or {@code task-token}. */
    public NotFound(String what, String message) {
      super(message);
      this.what = what;
    }

    @Override
    public int status() {
      return 404;
    }

    @Override
    public String title() {
      return "Not found";
    }

    @Override
    public String type() {
      return what + "-not-found";
    }
  }

  /** The operation does not fit the execution's status, or the name is taken (409). */
  public static final class Conflict extends StatesException {
    private final String kind;

    /** {@code kind} is a slug like {@code execution-not-redrivable}. */
    public Conflict(String kind, String message) {
      super(message);
      this.kind = kind;
    }

    @Override
    public int status() {
      return 409;
    }

    @Override
    public String title() {
      return "Conflict";
    }

    @Override
    public String type() {
      return kind;
    }
  }

  /** An invalid definition or request (400), with every validation error. */
  public static final class Invalid extends StatesException {
    private final java.util.List<String> errors;

    /** An invalid input with the list of errors (each prefixed with its JSON path). */
    public Invalid(String message, java.util.List<String> errors) {
      super(message);
      this.errors = java.util.List.copyOf(errors);
    }

    /** Every error found. */
    public java.util.List<String> errors() {
      return errors;
    }

    @Override
    public int status() {
      return 400;
    }

    @Override
    public String title() {
      return "Invalid request";
    }

    @Override
    public String type() {
      return "invalid-definition";
    }

    @Override
    public Map<String, Object> extensions() {
      return Map.of("errors", errors);
    }
  }
}
