package io.bulwark.recovery.internal;

import io.bulwark.topology.runbook.RunbookStep;

/**
 * A manual step (external dependencies, communication, or a step Bulwark cannot carry out here):
 * its instructions go to people through the step history; the activation does not wait for them.
 */
final class HandOver implements StepExecutor {

  @Override
  public String execute(RunbookStep step) {
    return "for people: " + String.join("; ", step.manualSteps());
  }

  @Override
  public String rollBack(RunbookStep step) {
    return "for people: " + step.rollback();
  }
}
