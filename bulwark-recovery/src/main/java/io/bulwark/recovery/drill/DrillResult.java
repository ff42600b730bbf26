package io.bulwark.recovery.drill;

import io.bulwark.recovery.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What a drill measured.
 *
 * @param topology the topology's name
 * @param disaster what was injected
 * @param strategy the topology's DR strategy, e.g. {@code pilot-light}
 * @param fromRegion the region lost
 * @param toRegion the region recovered into
 * @param startedAt when the load started
 * @param faultAt when the disaster was injected
 * @param endedAt when the load stopped
 * @param rtoSeconds from the fault to the first order acknowledged from {@code toRegion}; empty
 *     when none was
 * @param rpoSeconds the data-loss window: from the earliest acknowledged order that is missing
 *     afterwards to the fault (0 when none is missing)
 * @param targetRtoSeconds the topology's {@code dr.rto}
 * @param targetRpoSeconds the topology's {@code dr.rpo}
 * @param activationStatus how the DR activation ended ({@code SUCCEEDED}, {@code FAILED}, …)
 * @param activationError its error, when it failed
 * @param steps the activation's states, as its history shows them
 * @param killed what the disaster killed
 * @param attempts every order sent, with its answer
 * @param lostIds acknowledged orders missing from the database afterwards
 * @param duplicateIds orders recorded more than once
 */
public record DrillResult(
    String topology,
    Disaster disaster,
    String strategy,
    String fromRegion,
    String toRegion,
    Instant startedAt,
    Instant faultAt,
    Instant endedAt,
    OptionalDouble rtoSeconds,
    double rpoSeconds,
    long targetRtoSeconds,
    long targetRpoSeconds,
    String activationStatus,
    String activationError,
    List<StepRecord> steps,
    List<String> killed,
    List<OrderAttempt> attempts,
    List<String> lostIds,
    List<String> duplicateIds) {

  public DrillResult {
    Objects.requireNonNull(topology, "topology");
    Objects.requireNonNull(disaster, "disaster");
    Objects.requireNonNull(rtoSeconds, "rtoSeconds");
    steps = List.copyOf(steps);
    killed = List.copyOf(killed);
    attempts = List.copyOf(attempts);
    lostIds = List.copyOf(lostIds);
    duplicateIds = List.copyOf(duplicateIds);
  }

  /** Orders the API acknowledged (2xx). */
  public long acknowledged() {
    return attempts.stream().filter(OrderAttempt::acknowledged).count();
  }

  /** Whether RTO and RPO are within the topology's targets (an RTO never reached is not). */
  public boolean targetsMet() {
    return rtoSeconds.isPresent()
        && rtoSeconds.getAsDouble() <= targetRtoSeconds
        && rpoSeconds <= targetRpoSeconds;
  }

  /** Whether the drill passed: targets met, the activation succeeded, no order duplicated. */
  public boolean passed() {
    return targetsMet() && activationStatus.equals("SUCCEEDED") && duplicateIds.isEmpty();
  }

  /**
   * The drill as {@code bulwark drill --json} prints it. The fields {@code disaster, strategy,
   * rtoSeconds, rpoSeconds, acknowledged, lostAcknowledged, targets{rtoSeconds, rpoSeconds},
   * targetsMet, steps[{name, seconds, status}]} are a contract.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> out = summary();
    out.put("fromRegion", fromRegion);
    out.put("toRegion", toRegion);
    out.put("startedAt", startedAt.toString());
    out.put("faultAt", faultAt.toString());
    out.put("endedAt", endedAt.toString());
    out.put("sent", attempts.size());
    out.put("lostIds", lostIds);
    Map<String, Object> invariants = new LinkedHashMap<>();
    invariants.put("noDuplicateOrder", duplicateIds.isEmpty());
    invariants.put("duplicateIds", duplicateIds);
    out.put("invariants", invariants);
    Map<String, Object> activation = new LinkedHashMap<>();
    activation.put("status", activationStatus);
    activation.put("error", activationError);
    out.put("activation", activation);
    out.put("killed", killed);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (StepRecord s : steps) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", s.state());
      row.put("seconds", stepSeconds(s));
      row.put("status", s.status());
      row.put("startedAt", s.startedAt().toString());
      row.put("attempts", s.attempts());
      row.put("detail", s.detail());
      rows.add(row);
    }
    out.put("steps", rows);
    out.put("passed", passed());
    return out;
  }

  /** The line the drill history keeps: the contract's figures without the steps' details. */
  public Map<String, Object> summary() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("date", faultAt.toString());
    out.put("topology", topology);
    out.put("disaster", disaster.word());
    out.put("strategy", strategy);
    out.put("rtoSeconds", rtoSeconds.isPresent() ? round(rtoSeconds.getAsDouble()) : null);
    out.put("rpoSeconds", round(rpoSeconds));
    out.put("acknowledged", acknowledged());
    out.put("lostAcknowledged", lostIds.size());
    Map<String, Object> targets = new LinkedHashMap<>();
    targets.put("rtoSeconds", targetRtoSeconds);
    targets.put("rpoSeconds", targetRpoSeconds);
    out.put("targets", targets);
    out.put("targetsMet", targetsMet());
    out.put("activationStatus", activationStatus);
    return out;
  }

  /**
   * How long step {@code s} ran: as its history says, or, for one still running when the drill
   * ended (the activation outlasted {@code --timeout}), until the drill ended.
   */
  public double stepSeconds(StepRecord s) {
    return s.status().equals("RUNNING")
        ? Math.max(s.seconds(), Duration.between(s.startedAt(), endedAt).toMillis() / 1000.0)
        : s.seconds();
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }
}
