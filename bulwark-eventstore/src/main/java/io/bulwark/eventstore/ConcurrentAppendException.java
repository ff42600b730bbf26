package io.bulwark.eventstore;

import io.bulwark.kernel.Problem;
import java.util.Map;

/**
 * An append on a caller's transaction was rejected because the stream's last event was written by a
 * transaction that started writing after the caller's. Accepting it would put the stream's events
 * out of order in {@link EventStore#readAll} (which orders by transaction), so the caller must roll
 * back and retry its transaction, as after a version conflict. Nothing of the append was written
 * and the transaction stays usable. Appends in the store's own transactions retry this themselves.
 * Rendered as HTTP 409.
 */
public final class ConcurrentAppendException extends EventStoreException implements Problem {

  private final String stream;
  private final long version;

  /** {@code stream}'s version {@code version} was written by a younger transaction. */
  public ConcurrentAppendException(String stream, long version) {
    this(stream, version, null);
  }

  /**
   * As {@link #ConcurrentAppendException(String, long)}, found from {@code cause} (the database's
   * unique violation), or null.
   */
  public ConcurrentAppendException(String stream, long version, Throwable cause) {
    super(
        "append rejected: stream "
            + stream
            + " version "
            + version
            + " was written by a transaction that began writing after this one; retry the"
            + " transaction",
        cause);
    this.stream = stream;
    this.version = version;
  }

  /** The stream. */
  public String stream() {
    return stream;
  }

  /** The stream's version written by the younger transaction. */
  public long version() {
    return version;
  }

  @Override
  public int status() {
    return 409;
  }

  @Override
  public String title() {
    return "Concurrent append";
  }

  @Override
  public String type() {
    return "concurrent-append";
  }

  @Override
  public String detail() {
    return getMessage();
  }

  @Override
  public Map<String, Object> extensions() {
    return Map.of("stream", stream, "version", version);
  }
}
