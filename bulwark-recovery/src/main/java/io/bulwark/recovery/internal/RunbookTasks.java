package io.bulwark.recovery.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import io.bulwark.recovery.RecoveryException;
import io.bulwark.states.StatesError;
import io.bulwark.states.durable.DurableTaskHandler;
import io.bulwark.states.durable.TaskRequest;
import io.bulwark.topology.Topology;
import io.bulwark.topology.runbook.Runbook;
import io.bulwark.topology.runbook.RunbookAsl;
import io.bulwark.topology.runbook.RunbookStep;
import io.bulwark.topology.runbook.StepKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task handlers of the DR manager's state machine ({@link RunbookAsl#automated}): each looks up
 * the runbook step its parameters name and runs that kind's {@link StepExecutor}.
 */
public final class RunbookTasks {
  private static final Logger LOG = LoggerFactory.getLogger(RunbookTasks.class);

  private final Runbook runbook;
  private final Clock clock;
  private final Map<StepKind, StepExecutor> executors = new EnumMap<>(StepKind.class);
  private final StepExecutor handOver = new HandOver();

  /**
   * Handlers acting on {@code site}, for {@code runbook} of {@code topology}; monitoring events go
   * to {@code monitoringLog}; no step waits longer than {@code maxStepWait} for its condition.
   */
  public RunbookTasks(
      Site site,
      Topology topology,
      Runbook runbook,
      Clock clock,
      Path monitoringLog,
      Duration maxStepWait) {
    this.runbook = runbook;
    this.clock = clock;
    StepContext ctx = new StepContext(site, topology, runbook, clock, monitoringLog, maxStepWait);
    executors.put(StepKind.DETECT, new DetectFailure(ctx));
    executors.put(StepKind.FENCE, new FenceOldPrimary(ctx));
    executors.put(StepKind.PROMOTE_REPLICA, new PromoteReplica(ctx));
    executors.put(StepKind.START_STANDBY, new ScaleRegion(ctx, false));
    executors.put(StepKind.SCALE_TO_PRODUCTION, new ScaleRegion(ctx, true));
    executors.put(StepKind.SWITCH_TRAFFIC, new SwitchTraffic(ctx));
    executors.put(StepKind.UPDATE_MONITORING, new UpdateMonitoring(ctx));
    executors.put(StepKind.VERIFY, new VerifySite(ctx));
  }

  /**
   * Whether an executor of its own carries out steps of {@code kind} (else they are handed over).
   */
  public boolean executes(StepKind kind) {
    return executors.containsKey(kind);
  }

  /** The handler of {@value RunbookAsl#EXECUTE_STEP}. */
  public DurableTaskHandler execute() {
    return r -> run(r, "execute", false);
  }

  /** The handler of {@value RunbookAsl#ROLL_BACK_STEP}. */
  public DurableTaskHandler rollBack() {
    return r -> run(r, "roll back", true);
  }

  /** The handler of {@value RunbookAsl#HAND_OVER_STEP}. */
  public DurableTaskHandler handOver() {
    return r -> run(r, "hand over", false);
  }

  private JsonNode run(TaskRequest request, String what, boolean rollback) {
    RunbookStep step = step(request.input());
    StepExecutor executor =
        step.kind().automated() ? executors.getOrDefault(step.kind(), handOver) : handOver;
    Instant started = clock.instant();
    LOG.info("DR step {} ({}): {} {}", step.number(), step.kind(), what, step.action());
    String detail;
    try {
      detail = rollback ? executor.rollBack(step) : executor.execute(step);
    } catch (RecoveryException e) {
      LOG.warn("DR step {} failed: {}", step.number(), e.getMessage());
      throw new StatesError(RunbookAsl.STEP_FAILED, e.getMessage(), e);
    } catch (StatesError e) {
      LOG.warn("DR step {} failed: {}", step.number(), e.getMessage());
      throw e;
    }
    ObjectNode out = Json.object();
    out.put("step", step.number());
    out.put("kind", step.kind().name());
    out.put("status", executor == handOver ? "HANDED_OVER" : rollback ? "ROLLED_BACK" : "DONE");
    out.put("detail", detail);
    out.put("seconds", Duration.between(started, clock.instant()).toMillis() / 1000.0);
    LOG.info("DR step {}: {}", step.number(), detail);
    return out;
  }

  private RunbookStep step(JsonNode input) {
    int n = input.path("step").asInt(0);
    if (n < 1 || n > runbook.steps().size()) {
      throw new StatesError(
          "Runbook.UnknownStep",
          "the runbook has steps 1.." + runbook.steps().size() + ", got " + input.path("step"));
    }
    return runbook.steps().get(n - 1);
  }
}
