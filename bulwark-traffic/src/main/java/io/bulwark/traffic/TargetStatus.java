package io.bulwark.traffic;

import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of one target.
 *
 * @param id target id
 * @param pool the pool it belongs to
 * @param host upstream host
 * @param port upstream port
 * @param zone its zone, if known
 * @param state whether it takes new requests
 * @param healthy what the active health check last decided
 * @param ejectedUntil when a passive ejection ends, if ejected now
 * @param inFlight requests sent to it and not yet answered
 */
public record TargetStatus(
    String id,
    String pool,
    String host,
    int port,
    Optional<String> zone,
    TargetState state,
    boolean healthy,
    Optional<Instant> ejectedUntil,
    int inFlight) {}
