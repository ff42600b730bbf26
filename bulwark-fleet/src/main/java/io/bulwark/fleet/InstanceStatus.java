package io.bulwark.fleet;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A snapshot of one instance in a group.
 *
 * @param id instance id
 * @param zone where it runs
 * @param host host it serves on
 * @param port port it serves on
 * @param pid process id, when local
 * @param state its lifecycle state
 * @param healthy whether its last health check passed
 * @param generation launch generation (a rolling refresh starts a new one)
 * @param launchedAt when it was launched
 * @param inServiceAt when it entered service, if it has
 */
public record InstanceStatus(
    String id,
    Zone zone,
    String host,
    int port,
    OptionalLong pid,
    Lifecycle state,
    boolean healthy,
    int generation,
    Instant launchedAt,
    Optional<Instant> inServiceAt) {}
