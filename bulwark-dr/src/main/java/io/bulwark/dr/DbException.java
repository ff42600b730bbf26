package io.bulwark.dr;

import io.bulwark.kernel.ProblemException;
import java.util.Map;

/**
 * The failures of the database cluster that a caller sees: a request that names something that does
 * not exist or is not allowed ({@link BadRequest}), and an operation that could not be carried out
 * on the running cluster ({@link Failed}). Always carries the cause, when there is one.
 */
public abstract sealed class DbException extends ProblemException
    permits DbException.BadRequest, DbException.Failed {

  private DbException(int status, String type, String title, String detail, Throwable cause) {
    super(status, type, title, detail, Map.of(), cause);
  }

  /** Bad input: an unknown member, a switchover that would lose data without {@code --force}. */
  public static final class BadRequest extends DbException {
    /** A bad request explained by {@code detail}. */
    public BadRequest(String detail) {
      super(400, "database-bad-request", "Bad database request", detail, null);
    }
  }

  /** The cluster could not do what was asked (unreachable store, timeout, failed promotion). */
  public static final class Failed extends DbException {
    /** A failure explained by {@code detail}, caused by {@code cause} (may be null). */
    public Failed(String detail, Throwable cause) {
      super(503, "database-operation-failed", "Database operation failed", detail, cause);
    }
  }
}
