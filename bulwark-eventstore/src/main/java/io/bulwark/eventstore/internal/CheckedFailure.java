package io.bulwark.eventstore.internal;

import java.sql.SQLException;

/**
 * Carries a checked exception of a callback (a handler, a message effect) out of transaction work,
 * which may throw only {@link SQLException} and unchecked exceptions, so that the caller can throw
 * the original again.
 */
public final class CheckedFailure extends RuntimeException {

  private final Exception checked;

  private CheckedFailure(Exception checked) {
    super(checked.toString(), checked, false, false);
    this.checked = checked;
  }

  /** Runs a callback that may throw anything. */
  @FunctionalInterface
  public interface Callback {
    /** Runs it. */
    void run() throws Exception;
  }

  /**
   * Runs {@code callback}, passing {@link SQLException} and unchecked exceptions through and
   * wrapping any other checked exception in a {@link CheckedFailure}.
   */
  public static void run(Callback callback) throws SQLException {
    try {
      callback.run();
    } catch (SQLException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CheckedFailure(e);
    }
  }

  /** The callback's own exception. */
  public Exception checked() {
    return checked;
  }
}
