package io.bulwark.states;

/**
 * A named error raised while running a state machine, like {@code States.TaskFailed} or an error
 * name thrown by a task handler. Retry and Catch rules match on {@link #error()}.
 */
public final class StatesError extends RuntimeException {
  private final String error;
  private final String cause;

  /** Creates an error with the given name and cause text (either may be null). */
  public StatesError(String error, String cause) {
    this(error, cause, null);
  }

  /**
   * Creates an error with the given name and cause text (either may be null), raised while handling
   * {@code failure}, which stays attached for the logs.
   */
  public StatesError(String error, String cause, Throwable failure) {
    super(error + ": " + cause, failure);
    this.error = error;
    this.cause = cause;
  }

  /** The error name. */
  public String error() {
    return error;
  }

  /** The cause text. */
  public String causeText() {
    return cause;
  }
}
