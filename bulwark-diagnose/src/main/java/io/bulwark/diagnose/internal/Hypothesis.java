package io.bulwark.diagnose.internal;

import io.bulwark.diagnose.Fault;
import io.bulwark.diagnose.Signals;
import java.util.List;
import java.util.Set;

/**
 * A fault the engine can check, with its prior probability, the signals that show it (each with the
 * direction it moves and the smallest change that counts) and the faults that would explain its
 * signals as a consequence.
 *
 * @param fault the fault
 * @param prior how likely the fault is before looking at data
 * @param signals what shows it
 * @param explainedBy faults that produce the same signals as a side effect
 */
public record Hypothesis(Fault fault, double prior, List<Signal> signals, Set<Fault> explainedBy) {

  /** Which way a signal moves when the fault is there. */
  public enum Direction {
    UP,
    DOWN
  }

  /**
   * A metric that shows the fault.
   *
   * @param metric one of {@link Signals}
   * @param direction the way it moves
   * @param minScale the smallest spread assumed for its baseline, in its unit
   * @param trend whether it is a live set read at collections, judged by its readings since the
   *     onset, which must have grown between the first and the latest (a leak)
   */
  public record Signal(String metric, Direction direction, double minScale, boolean trend) {}

  private static Signal up(String metric, double minScale) {
    return new Signal(metric, Direction.UP, minScale, false);
  }

  private static final double MB = 1024 * 1024;

  /**
   * The hypotheses checked against metrics. A bad deploy is checked against change events too, and
   * the network faults need a gateway or fault-proxy collector that does not exist yet.
   */
  public static final List<Hypothesis> ALL =
      List.of(
          new Hypothesis(
              Fault.CPU_HOG,
              0.15,
              List.of(up(Signals.CPU, 0.15), up(Signals.BUSY_THREADS, 0.5)),
              Set.of(Fault.GC_PRESSURE, Fault.MEMORY_LEAK)),
          new Hypothesis(
              Fault.GC_PRESSURE,
              0.10,
              List.of(up(Signals.GC_PAUSE, 0.02), up(Signals.ALLOCATION, 16 * MB)),
              Set.of(Fault.MEMORY_LEAK)),
          new Hypothesis(
              Fault.MEMORY_LEAK,
              0.10,
              List.of(new Signal(Signals.HEAP_LIVE, Direction.UP, 16 * MB, true)),
              Set.of()),
          new Hypothesis(
              Fault.SLOW_QUERY,
              0.15,
              List.of(up(Signals.LONGEST_QUERY, 0.5), up(Signals.LOCK_WAITERS, 0.5)),
              Set.of()),
          new Hypothesis(
              Fault.POOL_EXHAUSTION,
              0.10,
              List.of(up(Signals.POOL_USAGE, 0.15), up(Signals.POOL_PENDING, 0.5)),
              Set.of(Fault.SLOW_QUERY)),
          new Hypothesis(
              Fault.DEPENDENCY_DOWN, 0.10, List.of(up(Signals.DEPENDENCY_ERRORS, 0.2)), Set.of()),
          new Hypothesis(
              Fault.DISK_FILL,
              0.05,
              List.of(new Signal(Signals.DISK_FREE, Direction.DOWN, 256 * MB, false)),
              Set.of()),
          new Hypothesis(
              Fault.BAD_DEPLOY,
              0.05,
              List.of(up(Signals.HTTP_ERRORS, 0.2), up(Signals.HTTP_LATENCY, 0.05)),
              Set.of(
                  Fault.CPU_HOG,
                  Fault.GC_PRESSURE,
                  Fault.MEMORY_LEAK,
                  Fault.SLOW_QUERY,
                  Fault.POOL_EXHAUSTION,
                  Fault.DEPENDENCY_DOWN,
                  Fault.DISK_FILL)));

  /** Faults no collector gives signals for yet; the diagnosis lists them as not checked. */
  public static final List<Fault> UNCHECKED =
      List.of(Fault.NETWORK_LATENCY, Fault.PACKET_LOSS, Fault.NETWORK_PARTITION);
}
