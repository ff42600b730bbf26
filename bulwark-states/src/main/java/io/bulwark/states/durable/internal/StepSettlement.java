package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.durable.CompletionListener;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.TaskFailureListener;
import io.bulwark.states.internal.ContextObject;
import io.bulwark.states.internal.Decision;
import io.bulwark.states.internal.Interpreter;
import io.bulwark.states.internal.RetryState;
import io.bulwark.states.internal.Variables;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Settles a step inside its transaction: records what the {@link Interpreter} decided (or a task's
 * outcome and what follows from it) in the execution's row and history, points its work row at the
 * next work (the next step, a durable timer, a parked task, its branches), and when an execution
 * ends, tells its parent or, for a top-level one, its {@link CompletionListener} and the meters
 * (counted after the commit).
 */
final class StepSettlement {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final Interpreter interpreter;
  private final MachineRegistry machines;
  private final WorkQueue queue;
  private final EngineMetrics metrics;
  private final Map<String, CompletionListener> listeners;
  private final TaskFailureListener taskFailures;
  private final int historyLimit;
  private final Clock clock;

  StepSettlement(
      Interpreter interpreter,
      MachineRegistry machines,
      WorkQueue queue,
      EngineMetrics metrics,
      Map<String, CompletionListener> listeners,
      TaskFailureListener taskFailures,
      int historyLimit,
      Clock clock) {
    this.interpreter = interpreter;
    this.machines = machines;
    this.queue = queue;
    this.metrics = metrics;
    this.listeners = Map.copyOf(listeners);
    this.taskFailures = taskFailures;
    this.historyLimit = historyLimit;
    this.clock = clock;
  }

  /**
   * Carries out {@code d} for execution {@code e} inside transaction {@code c}. {@code w} is the
   * claimed work row to reuse (null outside a worker: new work rows are inserted). Returns true
   * when the worker should go on stepping the same execution under the same claim; then {@code e}
   * may be left {@link ExecutionRow#defer unsaved}, and the caller goes on with its next state in
   * the same transaction or {@link ExecutionRow#flush flushes} it. False: {@code e} is saved.
   */
  boolean apply(Connection c, ExecutionRow e, JsonNode machine, WorkQueue.Work w, Decision d)
      throws SQLException {
    Instant now = clock.instant();
    // a step adds at most two events (exit, enter), the failure one more: stop while both fit
    if (!(d instanceof Decision.Succeed || d instanceof Decision.Fail)
        && e.lastEventId + 3 > historyLimit) {
      d =
          new Decision.Fail(
              "States.Runtime",
              "The execution reached the limit of "
                  + historyLimit
                  + " history events in state "
                  + e.currentState);
    }
    String type = MachineRegistry.stateType(machine, e.currentState);
    switch (d) {
      case Decision.Next n -> {
        e.event(type + "StateExited", now, Events.stateExited(e.currentState, n.output()));
        enter(e, machine, n.state(), n.output(), now);
        if (queue.reschedule(c, e.arn, w, "STEP", now, null, true)) {
          e.defer(); // the worker goes on with the next state, which saves both
          return true;
        }
        e.save(c);
        return false;
      }
      case Decision.Succeed s -> {
        e.event(type + "StateExited", now, Events.stateExited(e.currentState, s.output()));
        finish(
            c,
            e,
            ExecutionStatus.SUCCEEDED,
            s.output(),
            null,
            null,
            "ExecutionSucceeded",
            Events.executionSucceeded(s.output()),
            now);
        return false;
      }
      case Decision.Fail f -> {
        finish(
            c,
            e,
            ExecutionStatus.FAILED,
            null,
            f.error(),
            f.cause(),
            "ExecutionFailed",
            Events.errorDetails("executionFailedEventDetails", f.error(), f.cause()),
            now);
        return false;
      }
      case Decision.Wait wait -> {
        if (wait.duration().isZero() || wait.duration().isNegative()) {
          return apply(c, e, machine, w, wait.then());
        }
        e.save(c);
        return queue.reschedule(
            c, e.arn, w, "AFTER_WAIT", now.plus(wait.duration()), decisionJson(wait.then()), false);
      }
      case Decision.Retry r -> {
        e.retry = r.retry();
        if (e.context.path("Task").has("Token")) { // each attempt waits under a token of its own
          ((ObjectNode) e.context.get("Task")).put("Token", TaskTokens.newToken());
        }
        e.save(c);
        return queue.reschedule(c, e.arn, w, "STEP", now.plus(r.delay()), null, false);
      }
      case Decision.InvokeTask t -> {
        return park(c, e, w, t, now);
      }
      case Decision.RunBranches b -> {
        return fork(c, e, machine, w, b, type, now);
      }
    }
  }

  /**
   * Records how the task of {@code e}'s current state ended ({@code TaskSucceeded}, {@code
   * TaskFailed} or {@code TaskTimedOut} for {@code resource}) and carries out what the state
   * decides next; returns whether the worker goes on stepping under its claim {@code w}.
   */
  boolean taskEnded(
      Connection c,
      ExecutionRow e,
      JsonNode machine,
      WorkQueue.Work w,
      String resource,
      TaskOutcome outcome)
      throws SQLException {
    Instant now = clock.instant();
    retryCount(e);
    Decision d;
    if (outcome.succeeded()) {
      e.event("TaskSucceeded", now, Events.taskSucceeded(resource, outcome.result()));
      metrics.task("succeeded");
      d =
          interpreter.taskSucceeded(
              machine, e.currentState, e.currentInput, e.context, outcome.result(), e.retry);
    } else {
      String error = outcome.failure().error();
      String cause = outcome.failure().causeText();
      if (outcome.timedOut()) {
        e.event("TaskTimedOut", now, Events.taskTimedOut(resource, error, cause));
        metrics.task("timed_out");
      } else {
        e.event("TaskFailed", now, Events.taskFailed(resource, error, cause));
        metrics.task("failed");
      }
      d =
          interpreter.taskFailed(
              machine, e.currentState, e.currentInput, e.context, outcome.failure(), e.retry);
      if (d instanceof Decision.Fail && e.parentArn == null && taskFailures != null) {
        // retries exhausted and no Catch: the task's failure ends the execution
        String state = e.currentState;
        JsonNode input = e.currentInput;
        int attempts = e.retry.attempt() + 1;
        boolean goesOn = apply(c, e, machine, w, d);
        taskFailures.taskFailed(
            c,
            new TaskFailureListener.FailedTask(
                e.toExecution(), state, resource, error, cause, attempts, input, now));
        return goesOn;
      }
    }
    return apply(c, e, machine, w, d);
  }

  /** The Parallel or Map state of {@code e} has no branch running any more: settles it. */
  boolean branchesDone(Connection c, ExecutionRow e, JsonNode machine, WorkQueue.Work w)
      throws SQLException {
    List<Decision.BranchOutcome> outcomes = ExecutionStore.branchOutcomes(c, e);
    boolean allSucceeded =
        outcomes.stream().allMatch(o -> o instanceof Decision.BranchOutcome.Succeeded);
    String type = MachineRegistry.stateType(machine, e.currentState);
    e.event(
        type + (allSucceeded ? "StateSucceeded" : "StateFailed"), clock.instant(), Events.none());
    e.childrenPrefix = null;
    retryCount(e);
    return apply(
        c,
        e,
        machine,
        w,
        interpreter.branchesCompleted(
            machine, e.currentState, e.currentInput, e.context, outcomes, e.retry));
  }

  /** Ends {@code e} TIMED_OUT (its TimeoutSeconds ran out), with its branches. */
  void timedOut(Connection c, ExecutionRow e) throws SQLException {
    Instant now = clock.instant();
    String cause = "The execution timed out after its TimeoutSeconds";
    finish(
        c,
        e,
        ExecutionStatus.TIMED_OUT,
        null,
        "States.Timeout",
        cause,
        "ExecutionTimedOut",
        Events.errorDetails("executionTimedOutEventDetails", "States.Timeout", cause),
        now);
    ExecutionStore.abortDescendants(c, e.arn, now);
  }

  /** Ends {@code e} ABORTED (stopped), with its branches. */
  Execution aborted(Connection c, ExecutionRow e, String error, String cause) throws SQLException {
    Instant now = clock.instant();
    e.status = ExecutionStatus.ABORTED;
    e.stopDate = now;
    e.error = error;
    e.cause = cause;
    e.event(
        "ExecutionAborted", now, Events.errorDetails("executionAbortedEventDetails", error, cause));
    e.save(c);
    ExecutionStore.abortDescendants(c, e.arn, now);
    Execution stopped = e.toExecution();
    if (e.parentArn == null) {
      completed(c, stopped);
    }
    return stopped;
  }

  /** The decision a durable Wait timer carries out when it fires. */
  static Decision afterWait(JsonNode payload) {
    return "Next".equals(payload.path("type").asText())
        ? new Decision.Next(payload.path("state").asText(), payload.get("output"))
        : new Decision.Succeed(payload.get("output"));
  }

  private static ObjectNode decisionJson(Decision d) {
    ObjectNode n = F.objectNode();
    switch (d) {
      case Decision.Next next -> {
        n.put("type", "Next");
        n.put("state", next.state());
        n.set("output", next.output());
      }
      case Decision.Succeed s -> {
        n.put("type", "Succeed");
        n.set("output", s.output());
      }
      default -> throw new IllegalStateException("a Wait ends only in Next or Succeed: " + d);
    }
    return n;
  }

  /** Parks a {@code .waitForTaskToken} task: issues its token, then dispatches its handler. */
  private boolean park(
      Connection c, ExecutionRow e, WorkQueue.Work w, Decision.InvokeTask t, Instant now)
      throws SQLException {
    String token = e.context.path("Task").path("Token").asText(null);
    if (token == null) {
      token = TaskTokens.newToken();
    }
    TaskTokens.park(c, token, e.arn, e.currentState, t.resource(), now);
    e.event(
        "TaskScheduled",
        now,
        Events.taskScheduled(t.resource(), t.payload(), seconds(t.timeout())));
    e.event("TaskStarted", now, Events.taskStarted(t.resource()));
    e.save(c);
    if (t.timeout() != null) {
      ObjectNode p = F.objectNode();
      p.put("token", token);
      WorkQueue.insert(c, e.arn, "TOKEN_TIMEOUT", now.plus(t.timeout()), p);
    }
    if (t.heartbeat() != null) {
      ObjectNode p = F.objectNode();
      p.put("token", token);
      p.put("heartbeatMillis", t.heartbeat().toMillis());
      WorkQueue.insert(c, e.arn, "TOKEN_TIMEOUT", now.plus(t.heartbeat()), p);
    }
    ObjectNode p = F.objectNode();
    p.put("token", token);
    p.put("state", e.currentState);
    p.put("resource", t.resource());
    p.set("input", t.payload());
    p.put("attempt", t.retry().attempt());
    p.put("idempotencyToken", TaskInvocation.idempotencyToken(e, t.retry().attempt()));
    p.put("machine", e.machineName);
    return queue.reschedule(c, e.arn, w, "DISPATCH", now, p, true);
  }

  /** Starts the branches of a Parallel or Map state as child executions. */
  private boolean fork(
      Connection c,
      ExecutionRow e,
      JsonNode machine,
      WorkQueue.Work w,
      Decision.RunBranches b,
      String type,
      Instant now)
      throws SQLException {
    e.retry = b.retry();
    if (b.branches().isEmpty()) {
      return apply(
          c,
          e,
          machine,
          w,
          interpreter.branchesCompleted(
              machine, e.currentState, e.currentInput, e.context, List.of(), b.retry()));
    }
    boolean map = "Map".equals(type);
    e.event(
        type + "StateStarted",
        now,
        map ? Events.mapStateStarted(b.branches().size()) : Events.none());
    String prefix = e.arn + "/" + e.lastEventId + "/";
    JsonNode state = machine.get("States").get(e.currentState);
    String statePointer = e.pointer + "/States/" + escape(e.currentState);
    int maxConcurrency = map ? state.path("MaxConcurrency").asInt(0) : 0;
    int i = 0;
    for (Decision.Branch branch : b.branches()) {
      ExecutionRow child = new ExecutionRow();
      child.arn = prefix + i;
      child.name = e.name + "/" + e.currentState + "/" + i;
      child.machineName = e.machineName;
      child.machineVersion = e.machineVersion;
      child.pointer =
          statePointer
              + (map
                  ? (state.has("ItemProcessor") ? "/ItemProcessor" : "/Iterator")
                  : "/Branches/" + i);
      child.parentArn = e.arn;
      child.branchIndex = i;
      child.status = ExecutionStatus.RUNNING;
      child.input = branch.input();
      child.startDate = now;
      child.context = branch.context();
      child.event("ExecutionStarted", now, Events.executionStarted(branch.input(), null));
      enter(
          child, branch.machine(), branch.machine().path("StartAt").asText(), branch.input(), now);
      child.insert(c);
      if (maxConcurrency > 0 && i >= maxConcurrency) {
        ObjectNode queued = F.objectNode();
        queued.put("parent", e.arn);
        WorkQueue.insert(c, child.arn, "QUEUED", WorkQueue.NEVER, queued);
      } else {
        WorkQueue.insert(c, child.arn, "STEP", now, null);
      }
      if (map) {
        e.event(
            "MapIterationStarted",
            now,
            Events.mapIteration("mapIterationStartedEventDetails", e.currentState, i));
      }
      i++;
    }
    e.childrenPrefix = prefix;
    e.pendingChildren = b.branches().size();
    e.save(c);
    if (w != null) {
      WorkQueue.delete(c, w.id);
    }
    return false;
  }

  private static String escape(String pointerSegment) {
    return pointerSegment.replace("~", "~0").replace("/", "~1");
  }

  private void finish(
      Connection c,
      ExecutionRow e,
      ExecutionStatus status,
      JsonNode output,
      String error,
      String cause,
      String eventType,
      JsonNode details,
      Instant now)
      throws SQLException {
    e.status = status;
    e.output = output;
    e.error = error;
    e.cause = cause;
    e.stopDate = now;
    e.event(eventType, now, details);
    e.save(c);
    WorkQueue.deleteOf(c, e.arn, false);
    TaskTokens.closeOf(c, e.arn, false, now);
    if (e.parentArn != null) {
      branchEnded(c, e, now);
    } else {
      completed(c, e.toExecution());
    }
  }

  /** A top-level execution ended: meters (after the commit) and its listener (in the commit). */
  private void completed(Connection c, Execution e) throws SQLException {
    metrics.ended(e);
    CompletionListener listener = listeners.get(e.stateMachineName());
    if (listener != null) {
      listener.completed(c, e);
    }
  }

  /** Tells the parent of branch {@code child} that it ended. */
  private void branchEnded(Connection c, ExecutionRow child, Instant now) throws SQLException {
    ExecutionRow p = ExecutionRow.lock(c, child.parentArn);
    if (p == null
        || p.status != ExecutionStatus.RUNNING
        || p.childrenPrefix == null
        || !child.arn.startsWith(p.childrenPrefix)) {
      return;
    }
    p.pendingChildren--;
    JsonNode machine = machines.machine(c, p);
    if ("Map".equals(MachineRegistry.stateType(machine, p.currentState))) {
      boolean ok = child.status == ExecutionStatus.SUCCEEDED;
      p.event(
          ok ? "MapIterationSucceeded" : "MapIterationFailed",
          now.plusNanos(1_000), // after the iteration's last event in the same transaction
          Events.mapIteration(
              ok ? "mapIterationSucceededEventDetails" : "mapIterationFailedEventDetails",
              p.currentState,
              child.branchIndex));
    }
    if (p.pendingChildren > 0
        && child.status != ExecutionStatus.SUCCEEDED
        && settled(c, p, machine)) {
      // A failure that decides the state (any in a Parallel, an untolerated one in a Map) stops
      // the branches still running, as Step Functions does.
      ExecutionStore.abortRunningBranches(c, p, now);
      p.pendingChildren = 0;
    }
    if (p.pendingChildren == 0) {
      WorkQueue.insert(c, p.arn, "BRANCHES_DONE", now, null);
    } else {
      WorkQueue.startNextQueued(c, p.arn, now);
    }
    p.save(c);
  }

  /** Whether the ended branches of {@code p} already decide its Parallel or Map state. */
  private boolean settled(Connection c, ExecutionRow p, JsonNode machine) throws SQLException {
    return interpreter.branchesSettled(
        machine,
        p.currentState,
        ExecutionStore.branchOutcomes(c, p),
        ExecutionStore.branchCount(c, p));
  }

  /** Sets {@code e} into state {@code name} with {@code input} and records the entry. */
  static void enter(ExecutionRow e, JsonNode machine, String name, JsonNode input, Instant now) {
    JsonNode state = machine.get("States").get(name);
    String type = state.path("Type").asText();
    e.currentState = name;
    e.currentInput = input;
    e.retry = RetryState.initial();
    ContextObject.enterState(e.context, name, now);
    e.context.remove("Task");
    if ("Task".equals(type) && TaskInvocation.isCallback(state.path("Resource").asText())) {
      e.context.putObject("Task").put("Token", TaskTokens.newToken());
    }
    e.enteredEventId = e.event(type + "StateEntered", now, Events.stateEntered(name, input));
    Variables.enteredEventId(e.context, e.enteredEventId);
  }

  /** Sets {@code $$.State.RetryCount} to the attempt of {@code e}'s current state. */
  static void retryCount(ExecutionRow e) {
    JsonNode state = e.context.get("State");
    if (state instanceof ObjectNode s) {
      s.put("RetryCount", e.retry.attempt());
    }
  }

  static Integer seconds(Duration d) {
    return d == null ? null : (int) Math.min(Integer.MAX_VALUE, d.toSeconds());
  }
}
