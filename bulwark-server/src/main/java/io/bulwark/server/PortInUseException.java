package io.bulwark.server;

/** The configured HTTP port is taken by another process; nothing was started. */
public final class PortInUseException extends IllegalStateException {

  private final int port;

  PortInUseException(String host, int port, Throwable cause) {
    super("port " + port + " on " + host + " is already in use", cause);
    this.port = port;
  }

  /** The port that was asked for. */
  public int port() {
    return port;
  }
}
