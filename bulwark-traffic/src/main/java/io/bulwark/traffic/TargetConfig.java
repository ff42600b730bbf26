package io.bulwark.traffic;

import io.bulwark.kernel.Check;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One upstream server behind a pool.
 *
 * @param id unique across the whole gateway (letters, digits, {@code . _ -}); the admin API and the
 *     affinity cookie name targets by it
 * @param host host name or IP address the gateway connects to
 * @param port TCP port, 1..65535
 * @param zone the zone the target runs in, if known (reported, not used for routing)
 */
public record TargetConfig(String id, String host, int port, Optional<String> zone) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  public TargetConfig {
    Objects.requireNonNull(id, "target id must not be null");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "target id must be 1-128 letters, digits, '.', '_' or '-' but was \"" + id + "\"");
    }
    Check.notBlank("target " + id + ": host", host);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "target " + id + ": port must be between 1 and 65535 but was " + port);
    }
    zone = Objects.requireNonNullElse(zone, Optional.empty());
  }

  /** A target without a zone. */
  public static TargetConfig of(String id, String host, int port) {
    return new TargetConfig(id, host, port, Optional.empty());
  }

  /** This target placed in {@code zone}. */
  public TargetConfig inZone(String zone) {
    return new TargetConfig(id, host, port, Optional.of(zone));
  }
}
