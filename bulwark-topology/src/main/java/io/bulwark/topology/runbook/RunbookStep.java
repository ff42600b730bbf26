package io.bulwark.topology.runbook;

import java.time.Duration;
import java.util.Objects;

/**
 * One step of a DR runbook, as data the DR manager can execute.
 *
 * @param number 1-based position
 * @param kind what the step does
 * @param action short title, e.g. "Promote database replica dr-1 in us-west-2"
 * @param command the exact command to run
 * @param expectedDuration how long it should take
 * @param successCheck how to tell it worked
 * @param rollback how to undo it, as a command or an instruction
 */
public record RunbookStep(
    int number,
    StepKind kind,
    String action,
    String command,
    Duration expectedDuration,
    String successCheck,
    String rollback) {

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
  }
}
