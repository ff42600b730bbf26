package io.bulwark.diagnose;

import io.bulwark.kernel.ProblemException;
import java.util.Map;

/** What the chaos and telemetry API could not do, as a problem the caller sees. */
public abstract sealed class DiagnoseException extends ProblemException {

  DiagnoseException(
      int status, String type, String title, String detail, Map<String, Object> ext, Throwable c) {
    super(status, type, title, detail, ext, c);
  }

  /** A request field is invalid (400); names the field. */
  public static final class InvalidInput extends DiagnoseException {
    /** {@code field} names the field, {@code detail} the rule and the value. */
    public InvalidInput(String field, String detail) {
      super(400, "invalid-input", "Invalid input", detail, Map.of("field", field), null);
    }
  }

  /** No injection has that id (404). */
  public static final class NotFound extends DiagnoseException {
    /** {@code detail} names what was looked for. */
    public NotFound(String detail) {
      super(404, "not-found", "Not found", detail, Map.of(), null);
    }
  }

  /** The same fault already runs on that target (409). */
  public static final class AlreadyInjected extends DiagnoseException {
    /** {@code detail} names the running injection. */
    public AlreadyInjected(String detail) {
      super(409, "chaos-already-running", "Fault already injected", detail, Map.of(), null);
    }
  }

  /** The injection could not start (503); the cause says why. */
  public static final class InjectionFailed extends DiagnoseException {
    /** {@code detail} says what was being done. */
    public InjectionFailed(String detail, Throwable cause) {
      super(503, "chaos-failed", "Fault injection failed", detail, Map.of(), cause);
    }
  }
}
