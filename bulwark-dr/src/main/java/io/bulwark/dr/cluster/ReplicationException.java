package io.bulwark.dr.cluster;

/** A replication step (cloning, promotion, reconfiguration) that failed; carries the cause. */
public final class ReplicationException extends RuntimeException {
  /** A failure explained by {@code message}, caused by {@code cause} (may be null). */
  public ReplicationException(String message, Throwable cause) {
    super(message, cause);
  }
}
