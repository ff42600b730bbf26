package io.bulwark.recovery.internal;

import io.bulwark.topology.runbook.RunbookStep;

/**
 * Carries out one kind of runbook step against the running topology. Both methods may be called
 * again for the same step (the engine delivers a task at least once, and a resumed manager repeats
 * the step that was in flight), so each first checks whether its effect is already there.
 */
public interface StepExecutor {

  /**
   * Performs {@code step} and waits for its success condition.
   *
   * @return what it did and found, for the step history
   * @throws io.bulwark.states.StatesError of type {@code Runbook.StepFailed} when the success
   *     condition does not hold in time
   */
  String execute(RunbookStep step);

  /**
   * Undoes {@code step} as its rollback says, as far as that can be automated.
   *
   * @return what it did, or which rollback is left to people
   */
  String rollBack(RunbookStep step);
}
