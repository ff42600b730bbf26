package io.bulwark.states.durable;

/** Status of a durable execution, as Step Functions names them. */
public enum ExecutionStatus {
  RUNNING,
  SUCCEEDED,
  FAILED,
  TIMED_OUT,
  ABORTED
}
