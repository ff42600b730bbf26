package io.bulwark.traffic.internal;

import io.bulwark.traffic.BotProtection;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the bot protection in force: the proxy reads it once per request, an operator replaces it
 * (or turns it off) while the gateway runs, carrying rate-limit buckets and the challenge secret
 * over, and the buckets of idle clients are swept regularly.
 */
final class LiveProtection {

  // The gateway's own logger, where operators have always found this line.
  private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);

  private final MeterRegistry registry;
  private final Clock clock;
  // Null when bot protection is off: the proxy then skips it with one volatile read.
  private volatile Protection current;

  LiveProtection(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  /** Bot protection as it runs now, or null when it is off. */
  Protection current() {
    return current;
  }

  /** The configuration in force, if any. */
  Optional<BotProtection> config() {
    return Optional.ofNullable(current).map(Protection::config);
  }

  /** Turns on the protection the gateway starts with. */
  void start(BotProtection config) {
    current = Protection.of(config, registry, clock);
  }

  /**
   * Replaces bot protection (empty turns it off) for the next request. Buckets of rate limits that
   * keep their name and key carry over, and so does the challenge secret unless the new
   * configuration names one.
   */
  synchronized void replace(Optional<BotProtection> config) {
    Protection before = current;
    Protection after =
        config
            .map(c -> before == null ? Protection.of(c, registry, clock) : before.replacedBy(c))
            .orElse(null);
    current = after;
    if (before != null) {
      before.close();
    }
    LOG.info(
        "bot protection {}",
        config
            .map(
                c ->
                    "set: "
                        + c.rules().size()
                        + " rules, "
                        + c.rateLimits().size()
                        + " rate limits")
            .orElse("off"));
  }

  /** Forgets the rate-limit buckets of idle clients. */
  void sweep() {
    Protection p = current;
    if (p != null) {
      p.sweep();
    }
  }

  void close() {
    Protection p = current;
    if (p != null) {
      p.close();
    }
  }
}
