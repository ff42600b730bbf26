package io.bulwark.eventstore;

/**
 * What the writer believes a stream's current version is. Versions start at 1 for a stream's first
 * event; a stream with no events has version 0.
 *
 * <ul>
 *   <li>{@link #ANY}: append whatever the current version is (no concurrency check);
 *   <li>{@link #NO_STREAM}: the stream must not exist yet (same as {@code exactly(0)});
 *   <li>{@link #exactly(long)}: the stream's last event must have this version.
 * </ul>
 *
 * @param value {@code -1} for any, otherwise the expected current version ({@code >= 0})
 */
public record ExpectedVersion(long value) {

  /** Appends without a concurrency check. */
  public static final ExpectedVersion ANY = new ExpectedVersion(-1);

  /** Appends only if the stream has no events yet. */
  public static final ExpectedVersion NO_STREAM = new ExpectedVersion(0);

  /** Checks the value; {@code -1} means any. */
  public ExpectedVersion {
    if (value < -1) {
      throw new IllegalArgumentException(
          "expected version must be >= 0 (or -1 for any) but was " + value);
    }
  }

  /** The stream's current version must be exactly {@code version} ({@code 0}: no stream). */
  public static ExpectedVersion exactly(long version) {
    if (version < 0) {
      throw new IllegalArgumentException("expected version must be >= 0 but was " + version);
    }
    return version == 0 ? NO_STREAM : new ExpectedVersion(version);
  }

  /** True for {@link #ANY}. */
  public boolean isAny() {
    return value == -1;
  }

  @Override
  public String toString() {
    return isAny() ? "any" : value == 0 ? "no stream" : "version " + value;
  }
}
