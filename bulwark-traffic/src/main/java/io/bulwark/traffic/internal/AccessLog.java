package io.bulwark.traffic.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the access log: one line per answered request on logger {@code io.bulwark.traffic.access},
 * with its fields also as structured key/values, when the gateway's configuration turns it on.
 */
final class AccessLog {

  private static final Logger ACCESS = LoggerFactory.getLogger("io.bulwark.traffic.access");

  private final boolean enabled;

  AccessLog(boolean enabled) {
    this.enabled = enabled;
  }

  /** Logs one request; {@code target} is null when the gateway answered it itself. */
  void log(
      String requestId,
      String protocol,
      String method,
      String uri,
      int status,
      Target target,
      int attempts,
      long nanos,
      String client,
      String lastError) {
    if (!enabled || !ACCESS.isInfoEnabled()) {
      return;
    }
    String pool = target == null ? "-" : target.pool().name();
    String targetId = target == null ? "-" : target.id();
    double millis = nanos / 1_000_000.0;
    ACCESS
        .atInfo()
        .addKeyValue("request_id", requestId)
        .addKeyValue("protocol", protocol)
        .addKeyValue("method", method)
        .addKeyValue("uri", uri)
        .addKeyValue("status", status)
        .addKeyValue("pool", pool)
        .addKeyValue("target", targetId)
        .addKeyValue("attempts", attempts)
        .addKeyValue("duration_ms", millis)
        .addKeyValue("client", client)
        .log(
            "request_id={} protocol={} method={} uri=\"{}\" status={} pool={} target={} attempts={}"
                + " duration_ms={} client={} last_error=\"{}\"",
            requestId,
            protocol,
            method,
            uri,
            status,
            pool,
            targetId,
            attempts,
            String.format("%.3f", millis),
            client,
            lastError);
  }
}
