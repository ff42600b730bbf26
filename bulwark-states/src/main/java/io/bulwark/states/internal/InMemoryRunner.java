package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.ExecutionResult;
import io.bulwark.states.Sleeper;
import io.bulwark.states.StatesError;
import io.bulwark.states.TaskHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Carries out the {@link Interpreter}'s decisions in the calling thread: calls tasks through the
 * {@link TaskInvoker} the durable engine uses too, sleeps through Waits and retry back-offs, runs
 * branches one after the other. It numbers history events the way Step Functions does (1 is
 * ExecutionStarted, then entered/scheduled/started/ended/exited events per state) so that causes
 * name the event id a state was entered at. A runner carries out one execution at a time.
 */
public final class InMemoryRunner {
  private final TaskHandler tasks;
  private final Sleeper sleeper;
  private final Clock clock;
  private final ExecutionClock executionClock = new ExecutionClock();
  private final Interpreter interpreter = new Interpreter(executionClock);
  private long events;
  private Instant deadline;

  /**
   * What the sleeper was asked to wait but the clock did not see pass (a sleeper that records
   * instead of waiting): execution time runs ahead of the clock by that much.
   */
  private Duration ahead = Duration.ZERO;

  /** The execution ran past its TimeoutSeconds. */
  private static final class ExecutionTimedOut extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ExecutionTimedOut(Throwable cause) {
      super("The execution timed out after its TimeoutSeconds", cause, false, false);
    }
  }

  /**
   * The execution's time: the injected clock plus what the sleeper was asked to wait and the clock
   * did not see pass, so Wait states, retry back-offs, TimeoutSeconds, {@code $$} times and
   * Timestamp waits agree whether the sleeper really waits or not.
   */
  private final class ExecutionClock extends Clock {
    @Override
    public ZoneId getZone() {
      return clock.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return Clock.offset(clock.withZone(zone), ahead);
    }

    @Override
    public Instant instant() {
      return clock.instant().plus(ahead);
    }
  }

  /**
   * A runner calling {@code tasks}, waiting with {@code sleeper} and reading time from {@code
   * clock}.
   */
  public InMemoryRunner(TaskHandler tasks, Sleeper sleeper, Clock clock) {
    this.tasks = Objects.requireNonNull(tasks, "tasks");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Runs the machine from StartAt with the given input. */
  public ExecutionResult run(JsonNode definition, JsonNode input, String name) {
    events = 1;
    ahead = Duration.ZERO;
    Instant start = now();
    ObjectNode context =
        ContextObject.execution(
            "arn:aws:states:local:000000000000:execution:" + name + ":" + UUID.randomUUID(),
            UUID.randomUUID().toString(),
            input,
            start,
            name);
    deadline =
        definition.has("TimeoutSeconds")
            ? start.plusSeconds(definition.get("TimeoutSeconds").asLong())
            : null;
    try {
      return ExecutionResult.succeeded(runStates(definition, input, context));
    } catch (StatesError e) {
      return ExecutionResult.failed(e.error(), e.causeText());
    } catch (ExecutionTimedOut e) {
      return new ExecutionResult("TIMED_OUT", null, "States.Timeout", e.getMessage());
    }
  }

  private Instant now() {
    return executionClock.instant();
  }

  private void checkDeadline() {
    if (deadline != null && now().isAfter(deadline)) {
      throw new ExecutionTimedOut(null);
    }
  }

  /** Sleeps, but never past the execution's deadline. */
  private void sleep(Duration d) {
    if (deadline != null) {
      Duration left = Duration.between(now(), deadline);
      if (d.compareTo(left) > 0) {
        sleepFor(left.isNegative() ? Duration.ZERO : left);
        throw new ExecutionTimedOut(null);
      }
    }
    sleepFor(d);
  }

  private void sleepFor(Duration d) {
    Instant before = clock.instant();
    sleeper.sleep(d);
    Duration passed = Duration.between(before, clock.instant());
    if (passed.compareTo(d) < 0) {
      ahead = ahead.plus(d.minus(passed));
    }
  }

  private static String type(JsonNode machine, String state) {
    return machine.path("States").path(state).path("Type").asText();
  }

  private JsonNode runStates(JsonNode machine, JsonNode input, ObjectNode context) {
    String current = machine.path("StartAt").asText();
    JsonNode data = input;
    while (true) {
      checkDeadline();
      ContextObject.enterState(context, current, now());
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
      result = call(state, t);
    } catch (StatesError e) {
      events++;
      return interpreter.taskFailed(machine, state, data, context, e, t.retry());
    }
    events++;
    return interpreter.taskSucceeded(machine, state, data, context, result, t.retry());
  }

  /**
   * Calls the handler, bounded by TimeoutSeconds, HeartbeatSeconds (no heartbeats in-process) and
   * what is left of the execution's TimeoutSeconds.
   */
  private JsonNode call(String name, Decision.InvokeTask t) {
    Duration left = null;
    if (deadline != null) {
      left = Duration.between(now(), deadline);
      left = left.isNegative() ? Duration.ZERO : left;
    }
    try {
      return TaskInvoker.invoke(
          name,
          t.timeout(),
          t.heartbeat(),
          left,
          () -> tasks.invoke(name, t.resource(), t.payload(), t.retry().attempt()));
    } catch (TaskInvoker.ExecutionDeadlineReached e) {
      throw new ExecutionTimedOut(e);
    }
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
