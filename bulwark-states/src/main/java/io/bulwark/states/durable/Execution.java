package io.bulwark.states.durable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A durable execution as {@code DescribeExecution} shows it.
 *
 * @param executionArn {@code arn:aws:states:local:000000000000:execution:<machine>:<name>}
 * @param currentState the state it is in (RUNNING) or stopped in (the failed state when FAILED)
 * @param stopDate null while RUNNING
 */
public record Execution(
    String executionArn,
    String name,
    String stateMachineName,
    int stateMachineVersion,
    ExecutionStatus status,
    JsonNode input,
    JsonNode output,
    String error,
    String cause,
    Instant startDate,
    Instant stopDate,
    String currentState,
    int redriveCount) {

  /** The DescribeExecution-like JSON (input and output as JSON values, not strings). */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("executionArn", executionArn);
    n.put("name", name);
    n.put("stateMachineArn", Engine.stateMachineArn(stateMachineName));
    n.put("stateMachineVersion", stateMachineVersion);
    n.put("status", status.name());
    n.set("input", input);
    if (output != null) {
      n.set("output", output);
    }
    if (error != null) {
      n.put("error", error);
    }
    if (cause != null) {
      n.put("cause", cause);
    }
    n.put("startDate", startDate.toString());
    if (stopDate != null) {
      n.put("stopDate", stopDate.toString());
    }
    if (currentState != null) {
      n.put("currentState", currentState);
    }
    n.put("redriveCount", redriveCount);
    return n;
  }
}
