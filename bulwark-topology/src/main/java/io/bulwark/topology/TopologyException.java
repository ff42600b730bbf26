package io.bulwark.topology;

/** Errors of the topology module. */
public sealed class TopologyException extends RuntimeException permits InvalidTopologyException {

  TopologyException(String message, Throwable cause) {
    super(message, cause);
  }
}
