package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.ExecutionResult;
import io.bulwark.states.Sleeper;
import io.bulwark.states.StatesError;
import io.bulwark.states.TaskHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Carries out the {@link Interpreter}'s decisions in the calling thread: calls tasks (bounded by
 * the Task's TimeoutSeconds/HeartbeatSeconds), sleeps through Waits and retry back-offs, runs
 * branches one after the other. It numbers history events the way Step Functions does (1 is
 * ExecutionStarted, then entered/scheduled/started/ended/exited events per state) so that causes
 * name the event id a state was entered at. A runner carries out one execution at a time.
 */
public final class InMemoryRunner {
  private final Interpreter interpreter = new Interpreter();
  private final TaskHandler tasks;
  private final Sleeper sleeper;
  private long events;
  private long deadlineNanos;
  private long sleptNanos;

  /** The execution ran past its TimeoutSeconds. */
  private static final class ExecutionTimedOut extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ExecutionTimedOut() {
      super("The execution timed out after its TimeoutSeconds", null, false, false);
    }
  }

  /** A runner calling {@code tasks} and waiting with {@code sleeper}. */
  public InMemoryRunner(TaskHandler tasks, Sleeper sleeper) {
    this.tasks = tasks;
    this.sleeper = sleeper;
  }

  /** Runs the machine from StartAt with the given input. */
  public ExecutionResult run(JsonNode definition, JsonNode input, String name) {
    ObjectNode context =
        ContextObject.execution(
            "arn:aws:states:local:000000000000:execution:" + name + ":" + UUID.randomUUID(),
            UUID.randomUUID().toString(),
            input,
            Instant.now(),
            name);
    events = 1;
    sleptNanos = 0;
    deadlineNanos =
        definition.has("TimeoutSeconds")
            ? System.nanoTime() + definition.get("TimeoutSeconds").asLong() * 1_000_000_000L
            : Long.MAX_VALUE;
    try {
      return ExecutionResult.succeeded(runStates(definition, input, context));
    } catch (StatesError e) {
      return ExecutionResult.failed(e.error(), e.causeText());
    } catch (ExecutionTimedOut e) {
      return new ExecutionResult("TIMED_OUT", null, "States.Timeout", e.getMessage());
    }
  }

  /** Time on the execution's clock: real time plus what the sleeper was asked to wait. */
  private long now() {
    return System.nanoTime() + sleptNanos;
  }

  private void checkDeadline() {
    if (deadlineNanos != Long.MAX_VALUE && now() - deadlineNanos > 0) {
      throw new ExecutionTimedOut();
    }
  }

  /** Sleeps, but never past the execution's deadline. */
  private void sleep(Duration d) {
    if (deadlineNanos != Long.MAX_VALUE) {
      long left = deadlineNanos - now();
      if (d.toNanos() > left) {
        sleeper.sleep(Duration.ofNanos(Math.max(0, left)));
        sleptNanos += Math.max(0, left);
        throw new ExecutionTimedOut();
      }
    }
    sleeper.sleep(d);
    sleptNanos += d.toNanos();
  }

  private static String type(JsonNode machine, String state) {
    return machine.path("States").path(state).path("Type").asText();
  }

  private JsonNode runStates(JsonNode machine, JsonNode input, ObjectNode context) {
    String current = machine.path("StartAt").asText();
    JsonNode data = input;
    while (true) {
      checkDeadline();
      ContextObject.enterState(context, current, Instant.now());
      Variables.enteredEventId(context, ++events);
      Decision decision = interpreter.step(machine, current, data, context, RetryState.initial());
      while (true) {
        switch (decision) {
          case Decision.Next n -> {
            events++;
            current = n.state();
            data = n.output();
          }
          case Decision.Succeed s -> {
            events++;
            return s.output();
          }
          case Decision.Fail f -> throw new StatesError(f.error(), f.cause());
          case Decision.Wait w -> {
            sleep(w.duration());
            decision = w.then();
            continue;
          }
          case Decision.Retry r -> {
            sleep(r.delay());
            decision = interpreter.step(machine, current, data, context, r.retry());
            continue;
          }
          case Decision.InvokeTask t -> {
            decision = invoke(machine, current, data, context, t);
            continue;
          }
          case Decision.RunBranches b -> {
            events++;
            List<Decision.BranchOutcome> outcomes = runBranches(machine, current, b);
            events++;
            decision =
                interpreter.branchesCompleted(machine, current, data, context, outcomes, b.retry());
            continue;
          }
        }
        break;
      }
    }
  }

  private Decision invoke(
      JsonNode machine, String state, JsonNode data, ObjectNode context, Decision.InvokeTask t) {
    events += 2;
    JsonNode result;
    try {
      result = call(machine.path("States").path(state), state, t);
    } catch (StatesError e) {
      events++;
      return interpreter.taskFailed(machine, state, data, context, e, t.retry());
    }
    events++;
    return interpreter.taskSucceeded(machine, state, data, context, result, t.retry());
  }

  /**
   * Calls the handler, bounded by TimeoutSeconds and (no heartbeats in-process) HeartbeatSeconds.
   */
  private JsonNode call(JsonNode state, String name, Decision.InvokeTask t) {
    Duration timeout = t.timeout();
    Duration heartbeat = t.heartbeat();
    Duration left =
        deadlineNanos == Long.MAX_VALUE
            ? null
            : Duration.ofNanos(Math.max(0, deadlineNanos - now()));
    if (timeout == null && heartbeat == null && left == null) {
      try {
        return tasks.invoke(name, t.resource(), t.payload(), t.retry().attempt());
      } catch (StatesError e) {
        throw e;
      } catch (RuntimeException e) {
        throw handlerFailure(e);
      }
    }
    boolean heartbeatFirst =
        heartbeat != null && (timeout == null || heartbeat.compareTo(timeout) < 0);
    Duration stateLimit = heartbeatFirst ? heartbeat : timeout;
    boolean executionFirst = left != null && (stateLimit == null || left.compareTo(stateLimit) < 0);
    Duration limit = executionFirst ? left : stateLimit;
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    try {
      Future<JsonNode> future =
          executor.submit(() -> tasks.invoke(name, t.resource(), t.payload(), t.retry().attempt()));
      try {
        return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        future.cancel(true);
        if (executionFirst) {
          throw new ExecutionTimedOut();
        }
        throw new StatesError("States.Timeout", null);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof StatesError error) {
          throw error;
        }
        if (e.getCause() instanceof RuntimeException r) {
          throw handlerFailure(r);
        }
        throw new IllegalStateException("task " + name + " failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StatesError("States.Runtime", "interrupted while running task " + name);
      }
    } finally {
      executor.shutdownNow();
    }
  }

  /** A handler's own exception fails the task with its class name, as a Lambda error would. */
  private static StatesError handlerFailure(RuntimeException e) {
    return new StatesError(e.getClass().getSimpleName(), e.getMessage());
  }

  private List<Decision.BranchOutcome> runBranches(
      JsonNode machine, String state, Decision.RunBranches b) {
    boolean map = "Map".equals(type(machine, state));
    List<Decision.BranchOutcome> outcomes = new ArrayList<>();
    for (Decision.Branch branch : b.branches()) {
      if (map) {
        events++;
      }
      try {
        outcomes.add(
            new Decision.BranchOutcome.Succeeded(
                runStates(branch.machine(), branch.input(), branch.context())));
      } catch (StatesError e) {
        outcomes.add(new Decision.BranchOutcome.Failed(e.error(), e.causeText()));
      }
      if (map) {
        events++;
      }
      if (interpreter.branchesSettled(machine, state, outcomes, b.branches().size())) {
        break;
      }
    }
    return outcomes;
  }
}
