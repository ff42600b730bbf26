package io.bulwark.diagnose.chaos;

import io.bulwark.diagnose.Fault;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One fault injected into a component, bounded in time.
 *
 * @param id its id, for {@code bulwark chaos stop}
 * @param fault the fault
 * @param target the component it runs against
 * @param startedAt when it started
 * @param until when it ends by itself
 * @param description what it does, in words
 * @param status whether it still runs
 * @param endedAt when it was stopped or expired
 */
public record Injection(
    String id,
    Fault fault,
    String target,
    Instant startedAt,
    Instant until,
    String description,
    Status status,
    Optional<Instant> endedAt) {

  /** Whether an injection still runs. */
  public enum Status {
    ACTIVE,
    STOPPED,
    EXPIRED
  }

  /** This injection, ended at {@code at} with {@code status}. */
  Injection ended(Status status, Instant at) {
    return new Injection(id, fault, target, startedAt, until, description, status, Optional.of(at));
  }

  /** As JSON for the API. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("fault", fault.slug());
    m.put("target", target);
    m.put("startedAt", startedAt.toString());
    m.put("until", until.toString());
    m.put("status", status.name());
    m.put("endedAt", endedAt.map(Instant::toString).orElse(null));
    m.put("description", description);
    return m;
  }
}
