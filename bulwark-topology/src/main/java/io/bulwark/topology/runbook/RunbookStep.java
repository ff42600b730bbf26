package io.bulwark.topology.runbook;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One step of a DR runbook, as data the DR manager can execute. A manual step (the seed's "update
 * external dependencies" and "communication") has no command; people work through its {@code
 * manualSteps}.
 *
 * @param number 1-based position
 * @param kind what the step does
 * @param action short title, e.g. "Promote database replica dr-1 in us-west-2"
 * @param command the exact command to run; empty for a manual step
 * @param expectedDuration how long it should take
 * @param successCheck how to tell it worked
 * @param rollback how to undo it, as a command or an instruction
 * @param manualSteps what people do by hand, in order; empty for an automated step
 */
public record RunbookStep(
    int number,
    StepKind kind,
    String action,
    String command,
    Duration expectedDuration,
    String successCheck,
    String rollback,
    List<String> manualSteps) {

  public RunbookStep {
    if (number < 1) {
      throw new IllegalArgumentException("number must be >= 1, got " + number);
    }
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(expectedDuration, "expectedDuration");
    Objects.requireNonNull(successCheck, "successCheck");
    Objects.requireNonNull(rollback, "rollback");
    manualSteps = List.copyOf(manualSteps);
    if (manualSteps.isEmpty() == command.isEmpty()) {
      throw new IllegalArgumentException(
          "step "
              + number
              + " needs either a command or manual steps, not "
              + (command.isEmpty() ? "neither" : "both"));
    }
  }

  /** An automated step: {@code command} runs it. */
  public RunbookStep(
      int number,
      StepKind kind,
      String action,
      String command,
      Duration expectedDuration,
      String successCheck,
      String rollback) {
    this(number, kind, action, command, expectedDuration, successCheck, rollback, List.of());
  }

  /** Whether people carry this step out by hand (it has no command). */
  public boolean manual() {
    return !manualSteps.isEmpty();
  }

  /**
   * Whether the step lasts for the whole incident instead of finishing (communication); its
   * expected duration is zero and does not add to the runbook's total.
   */
  public boolean ongoing() {
    return kind == StepKind.COMMUNICATION;
  }
}
