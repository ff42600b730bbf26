package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.ExecutionResult;
import io.bulwark.states.Sleeper;
import io.bulwark.states.StatesError;
import io.bulwark.states.TaskHandler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Carries out the {@link Interpreter}'s decisions in the calling thread: calls tasks, sleeps
 * through Waits and retry back-offs, runs branches one after the other.
 */
public final class InMemoryRunner {
  private final Interpreter interpreter = new Interpreter();
  private final TaskHandler tasks;
  private final Sleeper sleeper;

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
    try {
      return ExecutionResult.succeeded(runStates(definition, input, context));
    } catch (StatesError e) {
      return ExecutionResult.failed(e.error(), e.causeText());
    }
  }

  private JsonNode runStates(JsonNode machine, JsonNode input, ObjectNode context) {
    String current = machine.path("StartAt").asText();
    JsonNode data = input;
    while (true) {
      ContextObject.enterState(context, current, Instant.now());
      Decision decision = interpreter.step(machine, current, data, context, RetryState.initial());
      while (true) {
        switch (decision) {
          case Decision.Next n -> {
            current = n.state();
            data = n.output();
          }
          case Decision.Succeed s -> {
            return s.output();
          }
          case Decision.Fail f -> throw new StatesError(f.error(), f.cause());
          case Decision.Wait w -> {
            sleeper.sleep(w.duration());
            decision = w.then();
            continue;
          }
          case Decision.Retry r -> {
            sleeper.sleep(r.delay());
            decision = interpreter.step(machine, current, data, context, r.retry());
            continue;
          }
          case Decision.InvokeTask t -> {
            decision = invoke(machine, current, data, context, t);
            continue;
          }
          case Decision.RunBranches b -> {
            decision =
                interpreter.branchesCompleted(
                    machine, current, data, context, runBranches(machine, current, b), b.retry());
            continue;
          }
        }
        break;
      }
    }
  }

  private Decision invoke(
      JsonNode machine, String state, JsonNode data, ObjectNode context, Decision.InvokeTask t) {
    JsonNode result;
    try {
      result = tasks.invoke(state, t.resource(), t.payload(), t.retry().attempt());
    } catch (StatesError e) {
      return interpreter.taskFailed(machine, state, data, context, e, t.retry());
    }
    return interpreter.taskSucceeded(machine, state, data, context, result, t.retry());
  }

  private List<Decision.BranchOutcome> runBranches(
      JsonNode machine, String state, Decision.RunBranches b) {
    List<Decision.BranchOutcome> outcomes = new ArrayList<>();
    for (Decision.Branch branch : b.branches()) {
      try {
        outcomes.add(
            new Decision.BranchOutcome.Succeeded(
                runStates(branch.machine(), branch.input(), branch.context())));
      } catch (StatesError e) {
        outcomes.add(new Decision.BranchOutcome.Failed(e.error(), e.causeText()));
      }
      if (interpreter.branchesSettled(machine, state, outcomes, b.branches().size())) {
        break;
      }
    }
    return outcomes;
  }
}
