package io.bulwark.eventstore;

import io.bulwark.kernel.Problem;
import java.util.Map;

/**
 * An append was rejected because the stream's current version is not the one the writer expected
 * (another writer appended first). Nothing of the append was written. Rendered as HTTP 409.
 */
public final class WrongExpectedVersionException extends EventStoreException implements Problem {

  private final String stream;
  private final ExpectedVersion expected;
  private final long actual;

  /** The append to {@code stream} expected {@code expected} but found {@code actual}. */
  public WrongExpectedVersionException(String stream, ExpectedVersion expected, long actual) {
    this(stream, expected, actual, null);
  }

  /**
   * As {@link #WrongExpectedVersionException(String, ExpectedVersion, long)}, found from {@code
   * cause} (the database's unique violation), or null.
   */
  public WrongExpectedVersionException(
      String stream, ExpectedVersion expected, long actual, Throwable cause) {
    super(
        "append rejected: stream "
            + stream
            + " expected "
            + expected
            + ", found "
            + (actual == 0 ? "no stream" : String.valueOf(actual)),
        cause);
    this.stream = stream;
    this.expected = expected;
    this.actual = actual;
  }

  /** The stream. */
  public String stream() {
    return stream;
  }

  /** What the writer expected. */
  public ExpectedVersion expected() {
    return expected;
  }

  /** The stream's version when the append was rejected (0: the stream does not exist). */
  public long actual() {
    return actual;
  }

  @Override
  public int status() {
    return 409;
  }

  @Override
  public String title() {
    return "Version conflict";
  }

  @Override
  public String type() {
    return "version-conflict";
  }

  @Override
  public String detail() {
    return getMessage();
  }

  @Override
  public Map<String, Object> extensions() {
    return Map.of("stream", stream, "expectedVersion", expected.value(), "actualVersion", actual);
  }
}
