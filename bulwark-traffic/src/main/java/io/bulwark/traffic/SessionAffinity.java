package io.bulwark.traffic;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Cookie session affinity: the gateway sets cookie {@code cookieName} naming the target that served
 * a client, and sends the client's later requests to that target for {@code ttl} while it is
 * serving. When the target is unhealthy, ejected, draining or gone, the client moves to another
 * target and gets a new cookie.
 *
 * <p>{@link #defaults()}: cookie {@code BULWARK_AFFINITY}, TTL 86400 s (the cloud load balancer's
 * stickiness duration).
 */
public record SessionAffinity(String cookieName, Duration ttl) {

  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

  public SessionAffinity {
    if (cookieName == null || !TOKEN.matcher(cookieName).matches()) {
      throw new IllegalArgumentException(
          "affinity.cookieName must be a cookie name token but was \"" + cookieName + "\"");
    }
    Check.atLeast("affinity.ttl", ttl, Duration.ofSeconds(1));
  }

  /** Cookie {@code BULWARK_AFFINITY}, 86400 s. */
  public static SessionAffinity defaults() {
    return new SessionAffinity("BULWARK_AFFINITY", Duration.ofSeconds(86400));
  }

  /** Cookie {@code BULWARK_AFFINITY} with the given TTL. */
  public static SessionAffinity withTtl(Duration ttl) {
    return new SessionAffinity("BULWARK_AFFINITY", ttl);
  }
}
