package io.bulwark.recovery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import io.bulwark.topology.runbook.RunbookAsl;
import java.time.Duration;
import java.util.List;

/**
 * A failback as an Amazon States Language state machine, run as a durable execution like an
 * activation: a Task per step on {@value #STEP}, retried once on {@value RunbookAsl#STEP_FAILED}; a
 * step that still fails, or times out, ends the execution in the {@code Failback stopped} state
 * with error {@value #FAILED}. Nothing is rolled back: every step leaves a site that serves (the
 * database primary in either region serves both, the weights move only once the original region is
 * ready), and running the failback again resumes or repeats it, each step checking its effect
 * first. Parameters carry {@code step} (its number) and {@code name}; results go to {@code
 * $.steps.<number>}.
 */
public final class FailbackMachine {

  /** Resource of a failback step, carried out by the DR manager. */
  public static final String STEP = "bulwark:dr:failback-step";

  /** Error of a failback that stopped at a step that failed. */
  public static final String FAILED = "Failback.StepFailed";

  /** The state a failed failback ends in. */
  public static final String STOPPED = "Failback stopped";

  private static final Duration MIN_TIMEOUT = Duration.ofMinutes(15);

  private FailbackMachine() {}

  /** The state machine of {@code plan}. */
  public static ObjectNode of(FailbackPlan plan) {
    ObjectNode root = Json.object();
    root.put(
        "Comment",
        "Failback of "
            + plan.activation().title()
            + " from "
            + plan.from()
            + " to "
            + plan.to()
            + ", carried out by the DR manager (bulwark dr failback)");
    List<FailbackPlan.Step> steps = plan.steps();
    root.put("StartAt", steps.get(0).stateName());
    ObjectNode states = root.putObject("States");
    for (int i = 0; i < steps.size(); i++) {
      FailbackPlan.Step s = steps.get(i);
      ObjectNode task = states.putObject(s.stateName());
      task.put("Type", "Task");
      task.put("Comment", s.action());
      task.put("Resource", STEP);
      ObjectNode params = task.putObject("Parameters");
      params.put("step", s.number());
      params.put("name", s.name());
      params.put("execution.$", "$$.Execution.Id");
      Duration three = s.expected().multipliedBy(3);
      task.put(
          "TimeoutSeconds", (three.compareTo(MIN_TIMEOUT) < 0 ? MIN_TIMEOUT : three).toSeconds());
      task.put("ResultPath", "$.steps." + s.number());
      ObjectNode retry = task.putArray("Retry").addObject();
      retry.putArray("ErrorEquals").add(RunbookAsl.STEP_FAILED);
      retry.put("IntervalSeconds", 2);
      retry.put("MaxAttempts", 1);
      ObjectNode c = task.putArray("Catch").addObject();
      c.putArray("ErrorEquals").add("States.ALL");
      c.put("ResultPath", "$.failure");
      c.put("Next", STOPPED);
      if (i + 1 < steps.size()) {
        task.put("Next", steps.get(i + 1).stateName());
      } else {
        task.put("End", true);
      }
    }
    ObjectNode fail = states.putObject(STOPPED);
    fail.put("Type", "Fail");
    fail.put("Error", FAILED);
    fail.put(
        "Cause",
        "a failback step failed or timed out; nothing was rolled back (see the step's detail),"
            + " run bulwark dr failback --approve again once the cause is fixed");
    return root;
  }
}
