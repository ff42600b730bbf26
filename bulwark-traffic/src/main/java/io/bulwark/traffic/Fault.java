package io.bulwark.traffic;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.Objects;

/**
 * A network fault a {@link FaultProxy} injects into the link it carries, after Toxiproxy's toxics.
 * At most one fault of each kind is active on a proxy; adding another replaces it.
 */
public sealed interface Fault {

  /** Which way data flows: client to upstream, upstream to client, or both. */
  enum Direction {
    /** Client to upstream (requests). */
    UPSTREAM,
    /** Upstream to client (responses). */
    DOWNSTREAM,
    /** Both ways. */
    BOTH;

    /** Whether data flowing {@code flow} is affected. */
    public boolean covers(Direction flow) {
      return this == BOTH || this == flow;
    }
  }

  /**
   * Delays data by {@code delay} plus a uniformly random {@code -jitter..+jitter} (never below
   * zero), keeping its order.
   */
  record Latency(Duration delay, Duration jitter, Direction direction) implements Fault {
    public Latency {
      Check.notNegative("latency.delay", delay);
      Check.notNegative("latency.jitter", jitter);
      Objects.requireNonNull(direction, "latency.direction");
    }

    /** {@code delay} on responses (downstream), no jitter, as Toxiproxy defaults to. */
    public static Latency of(Duration delay) {
      return new Latency(delay, Duration.ZERO, Direction.DOWNSTREAM);
    }

    /** {@code delay} ± {@code jitter} on responses. */
    public static Latency of(Duration delay, Duration jitter) {
      return new Latency(delay, jitter, Direction.DOWNSTREAM);
    }
  }

  /** Limits throughput to {@code bytesPerSecond} in {@code direction}. */
  record Bandwidth(long bytesPerSecond, Direction direction) implements Fault {
    public Bandwidth {
      if (bytesPerSecond < 1) {
        throw new IllegalArgumentException(
            "bandwidth.bytesPerSecond must be >= 1 but was " + bytesPerSecond);
      }
      Objects.requireNonNull(direction, "bandwidth.direction");
    }

    /** A limit on responses (downstream). */
    public static Bandwidth of(long bytesPerSecond) {
      return new Bandwidth(bytesPerSecond, Direction.DOWNSTREAM);
    }
  }

  /**
   * A black hole: no data gets through either way and nothing is answered; connections stay open (a
   * hung peer) unless {@code closeAfter} is positive, in which case they are closed that long after
   * the fault is set or they were opened.
   */
  record Timeout(Duration closeAfter) implements Fault {
    public Timeout {
      Check.notNegative("timeout.closeAfter", closeAfter);
    }

    /** Holds data forever; never closes. */
    public static Timeout hang() {
      return new Timeout(Duration.ZERO);
    }
  }

  /**
   * Resets connections (TCP RST, "connection reset by peer") {@code after} they were opened or the
   * fault was set; new connections are accepted and then reset the same way.
   */
  record ResetPeer(Duration after) implements Fault {
    public ResetPeer {
      Check.notNegative("resetPeer.after", after);
    }

    /** Resets at once. */
    public static ResetPeer now() {
      return new ResetPeer(Duration.ZERO);
    }
  }

  /** The link is down: new connections are refused and open ones closed. */
  record Down() implements Fault {}
}
