package io.bulwark.kernel;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A value read at most once per interval and remembered in between, for meters whose reading costs
 * a query: several gauges backed by one reading, scraped by several scrapers, cost one query per
 * interval. A failed read is not remembered: the next {@link #get()} tries again.
 *
 * @param <T> the value
 */
public final class Refreshing<T> {
  private final Supplier<T> read;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private T value;
  private long readAt;
  private boolean fresh;

  private Refreshing(Supplier<T> read, Duration interval, LongSupplier nanoTime) {
    this.read = Objects.requireNonNull(read, "read");
    this.intervalNanos = Check.positive("interval", interval).toNanos();
    this.nanoTime = nanoTime;
  }

  /** {@code read} at most once per {@code interval}. */
  public static <T> Refreshing<T> every(Duration interval, Supplier<T> read) {
    return new Refreshing<>(read, interval, System::nanoTime);
  }

  /** As {@link #every}, on the given nanosecond clock (for tests). */
  static <T> Refreshing<T> every(Duration interval, Supplier<T> read, LongSupplier nanoTime) {
    return new Refreshing<>(read, interval, nanoTime);
  }

  /** The value read within the interval, else a new reading (whose exception propagates). */
  public synchronized T get() {
    long now = nanoTime.getAsLong();
    if (!fresh || now - readAt >= intervalNanos) {
      T v = read.get();
      value = v;
      readAt = now;
      fresh = true;
    }
    return value;
  }
}
