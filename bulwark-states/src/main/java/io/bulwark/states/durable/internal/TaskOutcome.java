package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.states.StatesError;

/**
 * How one task call ended: with a result, or with a failure that is recorded as {@code TaskFailed}
 * or, when {@code timedOut}, as {@code TaskTimedOut}.
 */
record TaskOutcome(JsonNode result, StatesError failure, boolean timedOut) {

  static TaskOutcome succeeded(JsonNode result) {
    return new TaskOutcome(result, null, false);
  }

  static TaskOutcome failed(StatesError failure) {
    return new TaskOutcome(null, failure, false);
  }

  static TaskOutcome timedOut(StatesError failure) {
    return new TaskOutcome(null, failure, true);
  }

  /** A called task's failure: timed out when it ran past its TimeoutSeconds or heartbeat. */
  static TaskOutcome ofCall(StatesError failure) {
    boolean timedOut =
        "States.Timeout".equals(failure.error())
            || "States.HeartbeatTimeout".equals(failure.error());
    return new TaskOutcome(null, failure, timedOut);
  }

  boolean succeeded() {
    return failure == null;
  }
}
