package io.bulwark.states;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The end of one execution: SUCCEEDED with an output, or FAILED with an error and cause. */
public record ExecutionResult(String status, JsonNode output, String error, String cause) {
  /** A succeeded execution. */
  public static ExecutionResult succeeded(JsonNode output) {
    return new ExecutionResult("SUCCEEDED", output, null, null);
  }

  /** A failed execution. */
  public static ExecutionResult failed(String error, String cause) {
    return new ExecutionResult("FAILED", null, error, cause);
  }

  /**
   * {@code {"status":"SUCCEEDED","output":…}} or {@code {"status":"FAILED","error":…,"cause":…}}.
   */
  public ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("status", status);
    if ("SUCCEEDED".equals(status)) {
      node.set("output", output);
    } else {
      node.put("error", error);
      node.put("cause", cause);
    }
    return node;
  }
}
