package io.bulwark.kernel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The base of every Bulwark exception that is shown to a caller as an RFC 9457 problem: it carries
 * the problem's status, type, title and extensions, and always the failure that caused it (or null
 * when there was none), so a problem raised inside a {@code catch} keeps the original error for the
 * logs while the caller sees only the detail.
 *
 * <p>Each module keeps its own small sealed tree on top of this ({@code CommerceException}, {@code
 * StatesException}, …); the HTTP layer renders any {@link Problem} the same way.
 */
public abstract class ProblemException extends RuntimeException implements Problem {

  private final int status;
  private final String type;
  private final String title;
  private final Map<String, Object> extensions;

  /**
   * A problem with the given members.
   *
   * @param status the HTTP status that fits, 400..599
   * @param type a stable slug, rendered as {@code /problems/<type>}
   * @param title a short summary of the problem type
   * @param detail this occurrence's explanation (the exception's message)
   * @param extensions extra members of the problem body, in order; copied
   * @param cause the failure that led to this one, or null
   */
  protected ProblemException(
      int status,
      String type,
      String title,
      String detail,
      Map<String, Object> extensions,
      Throwable cause) {
    super(detail, cause);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be in 400..599 but was " + status);
    }
    this.status = status;
    this.type = Objects.requireNonNull(type, "type");
    this.title = Objects.requireNonNull(title, "title");
    this.extensions = Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  @Override
  public final int status() {
    return status;
  }

  @Override
  public final String type() {
    return type;
  }

  @Override
  public final String title() {
    return title;
  }

  @Override
  public final String detail() {
    return getMessage();
  }

  @Override
  public Map<String, Object> extensions() {
    return extensions;
  }
}
