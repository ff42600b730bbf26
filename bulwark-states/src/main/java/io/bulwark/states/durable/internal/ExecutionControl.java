package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.states.StatesError;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.StartedExecution;
import io.bulwark.states.durable.StatesException;
import io.bulwark.states.internal.ContextObject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;

/**
 * What callers do to executions: start one (in a transaction of its own or the caller's), stop one,
 * redrive a failed one, and complete, fail or keep alive a parked {@code .waitForTaskToken} task.
 * Each is one transaction that leaves work for the workers, whom it then wakes.
 */
public final class ExecutionControl {
  private final PostgresTransactions transactions;
  private final MachineRegistry machines;
  private final StepSettlement settlement;
  private final TaskTokens tokens;
  private final EngineMetrics metrics;
  private final Clock clock;
  private final Runnable wake;

  ExecutionControl(
      PostgresTransactions transactions,
      MachineRegistry machines,
      StepSettlement settlement,
      TaskTokens tokens,
      EngineMetrics metrics,
      Clock clock,
      Runnable wake) {
    this.transactions = transactions;
    this.machines = machines;
    this.settlement = settlement;
    this.tokens = tokens;
    this.metrics = metrics;
    this.clock = clock;
    this.wake = wake;
  }

  /**
   * Starts an execution of the latest version of {@code machineName}. Like Step Functions'
   * StartExecution it is idempotent: when an execution of that name is still RUNNING with an equal
   * input, that execution is returned and nothing new starts; otherwise a taken name is a Conflict
   * ({@code execution-already-exists}).
   */
  public StartedExecution start(String machineName, String executionName, JsonNode input) {
    StartedExecution started =
        transactions.inNewTransaction(
            c -> {
              try {
                return new StartedExecution(start(c, machineName, executionName, input, 0), true);
              } catch (StatesException.Conflict taken) {
                // the insert skipped the taken arn (on conflict do nothing): the transaction is
                // usable
                ExecutionRow existing =
                    ExecutionRow.read(c, Arns.execution(machineName, executionName));
                if (existing != null
                    && existing.status == ExecutionStatus.RUNNING
                    && existing.input.equals(input)) {
                  return new StartedExecution(existing.toExecution(), false);
                }
                throw taken;
              }
            });
    wake.run();
    return started;
  }

  /**
   * Starts an execution inside the caller's open transaction {@code c}: it exists, and its workers
   * see it, only once the caller commits.
   */
  public Execution start(
      Connection c, String machineName, String executionName, JsonNode input, int priority)
      throws SQLException {
    int version = machines.latestVersion(c, machineName);
    if (version == 0) {
      throw new StatesException.NotFound(
          "state-machine", "state machine " + machineName + " does not exist");
    }
    Instant now = clock.instant();
    ExecutionRow e = new ExecutionRow();
    e.name = executionName;
    e.arn = Arns.execution(machineName, executionName);
    e.machineName = machineName;
    e.machineVersion = version;
    e.pointer = "";
    JsonNode machine = machines.machine(c, e);
    e.status = ExecutionStatus.RUNNING;
    e.input = input;
    e.startDate = now;
    e.context = ContextObject.execution(e.arn, executionName, input, now, machineName);
    e.event(
        "ExecutionStarted", now, Events.executionStarted(input, Arns.stateMachine(machineName)));
    StepSettlement.enter(e, machine, machine.path("StartAt").asText(), input, now);
    try {
      e.insert(c);
    } catch (ExecutionRow.DuplicateExecution d) {
      throw new StatesException.Conflict(
          "execution-already-exists",
          "execution " + executionName + " of " + machineName + " already exists",
          d);
    }
    if (priority != 0) {
      ExecutionStore.setPriority(c, e.arn, priority);
    }
    WorkQueue.insert(c, e.arn, "STEP", now, null);
    metrics.started(machineName);
    if (machine.has("TimeoutSeconds")) {
      WorkQueue.insert(
          c, e.arn, "TIMEOUT", now.plusSeconds(machine.get("TimeoutSeconds").asLong()), null);
    }
    return e.toExecution();
  }

  /** Stops a RUNNING execution (ABORTED), with its branches; throws NotFound or Conflict. */
  public Execution stop(String arn, String error, String cause) {
    return transactions.inNewTransaction(
        c -> {
          ExecutionRow e = ExecutionStore.found(ExecutionRow.lock(c, arn), arn);
          if (e.status != ExecutionStatus.RUNNING) {
            throw new StatesException.Conflict(
                "execution-not-running", "execution " + arn + " is " + e.status + ", not RUNNING");
          }
          return settlement.aborted(c, e, error, cause);
        });
  }

  /** Runs a FAILED execution again from the state that failed; throws NotFound or Conflict. */
  public Execution redrive(String arn) {
    Execution redriven =
        transactions.inNewTransaction(
            c -> {
              ExecutionRow e = ExecutionStore.found(ExecutionRow.lock(c, arn), arn);
              if (e.parentArn != null || e.status != ExecutionStatus.FAILED) {
                throw new StatesException.Conflict(
                    "execution-not-redrivable",
                    "execution "
                        + arn
                        + " is "
                        + (e.parentArn != null ? "a branch of " + e.parentArn : e.status)
                        + "; only a FAILED execution can be redriven");
              }
              Instant now = clock.instant();
              e.redriveCount++;
              e.status = ExecutionStatus.RUNNING;
              e.stopDate = null;
              e.error = null;
              e.cause = null;
              e.output = null;
              e.event("ExecutionRedriven", now, Events.executionRedriven(e.redriveCount));
              metrics.redriven(e.machineName);
              StepSettlement.enter(e, machines.machine(c, e), e.currentState, e.currentInput, now);
              e.save(c);
              WorkQueue.insert(c, e.arn, "STEP", now, null);
              return e.toExecution();
            });
    wake.run();
    return redriven;
  }

  /** Completes the parked task of {@code token} with {@code output}; throws NotFound. */
  public void sendTaskSuccess(String token, JsonNode output) {
    callback(token, TaskOutcome.succeeded(output));
  }

  /** Fails the parked task of {@code token} with {@code error}/{@code cause}; throws NotFound. */
  public void sendTaskFailure(String token, String error, String cause) {
    callback(token, TaskOutcome.failed(new StatesError(error, cause)));
  }

  /** Records a heartbeat of the parked task of {@code token}; throws NotFound. */
  public void sendTaskHeartbeat(String token) {
    tokens.heartbeat(token);
  }

  private void callback(String token, TaskOutcome outcome) {
    transactions.inNewTransaction(
        c -> {
          TaskTokens.Parked parked = TaskTokens.take(c, token);
          if (parked == null) {
            throw TaskTokens.notWaiting(c, token);
          }
          ExecutionRow e = ExecutionRow.lock(c, parked.executionArn());
          if (e == null || e.status != ExecutionStatus.RUNNING) {
            throw TaskTokens.notFound(token);
          }
          settlement.taskEnded(c, e, machines.machine(c, e), null, parked.resource(), outcome);
          return null;
        });
    wake.run();
  }
}
