package io.bulwark.traffic;

import io.bulwark.kernel.Check;
import io.bulwark.traffic.internal.FaultRelay;
import java.util.List;

/**
 * A TCP proxy that breaks the link it carries on demand, like Toxiproxy: latency, jitter, bandwidth
 * limit, timeout (black hole), connection reset and down. Point a client at {@link #port()} instead
 * of the upstream; with no fault set, bytes pass through unchanged.
 *
 * <pre>{@code
 * try (FaultProxy link = FaultProxy.start(0, "127.0.0.1", dbPort)) {
 *   link.add(Fault.Latency.of(Duration.ofMillis(200)));
 *   ...
 *   link.clear();
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {
  private final FaultRelay relay;

  private FaultProxy(FaultRelay relay) {
    this.relay = relay;
  }

  /**
   * Listens on {@code 127.0.0.1:listenPort} (0 picks a free port) and forwards each connection to
   * {@code upstreamHost:upstreamPort}.
   *
   * @throws IllegalStateException when the port cannot be bound
   */
  public static FaultProxy start(int listenPort, String upstreamHost, int upstreamPort) {
    return start("127.0.0.1", listenPort, upstreamHost, upstreamPort);
  }

  /** As {@link #start(int, String, int)}, binding {@code bindHost}. */
  public static FaultProxy start(
      String bindHost, int listenPort, String upstreamHost, int upstreamPort) {
    if (listenPort < 0 || listenPort > 65535) {
      throw new IllegalArgumentException(
          "listenPort must be between 0 and 65535 but was " + listenPort);
    }
    Check.notBlank("upstreamHost", upstreamHost);
    if (upstreamPort < 1 || upstreamPort > 65535) {
      throw new IllegalArgumentException(
          "upstreamPort must be between 1 and 65535 but was " + upstreamPort);
    }
    return new FaultProxy(FaultRelay.start(bindHost, listenPort, upstreamHost, upstreamPort));
  }

  /** The port clients connect to; stays the same across {@link Fault.Down}. */
  public int port() {
    return relay.port();
  }

  /**
   * Activates {@code fault}, replacing an active fault of the same kind. Applies to open
   * connections and new ones.
   *
   * @throws IllegalStateException when lifting a fault needs the port back and it was taken
   */
  public void add(Fault fault) {
    relay.add(fault);
  }

  /** Deactivates the fault of this kind, if active; traffic then flows normally again. */
  public void remove(Class<? extends Fault> kind) {
    relay.remove(kind);
  }

  /** Deactivates every fault. */
  public void clear() {
    relay.clear();
  }

  /** The active faults. */
  public List<Fault> faults() {
    return relay.faults();
  }

  /** Open client connections. */
  public int connections() {
    return relay.connections();
  }

  /** Closes the listener and every connection. */
  @Override
  public void close() {
    relay.close();
  }
}
