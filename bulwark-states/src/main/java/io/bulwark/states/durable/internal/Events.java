package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the {@code …EventDetails} members of history events as Step Functions shapes them. */
final class Events {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Events() {}

  private static ObjectNode wrap(String member, ObjectNode details) {
    ObjectNode n = F.objectNode();
    n.set(member, details);
    return n;
  }

  private static String str(JsonNode n) {
    return n == null ? "null" : n.toString();
  }

  static ObjectNode executionStarted(JsonNode input, String machineArn) {
    ObjectNode d = F.objectNode();
    d.put("input", str(input));
    d.putObject("inputDetails").put("truncated", false);
    d.put("stateMachineArn", machineArn);
    return wrap("executionStartedEventDetails", d);
  }

  static ObjectNode stateEntered(String name, JsonNode input) {
    ObjectNode d = F.objectNode();
    d.put("name", name);
    d.put("input", str(input));
    d.putObject("inputDetails").put("truncated", false);
    return wrap("stateEnteredEventDetails", d);
  }

  static ObjectNode stateExited(String name, JsonNode output) {
    ObjectNode d = F.objectNode();
    d.put("name", name);
    d.put("output", str(output));
    d.putObject("outputDetails").put("truncated", false);
    return wrap("stateExitedEventDetails", d);
  }

  static ObjectNode taskScheduled(String resource, JsonNode parameters, Integer timeoutSeconds) {
    ObjectNode d = resource(resource);
    d.put("region", "local");
    d.put("parameters", str(parameters));
    if (timeoutSeconds != null) {
      d.put("timeoutInSeconds", timeoutSeconds);
    }
    return wrap("taskScheduledEventDetails", d);
  }

  static ObjectNode taskStarted(String resource) {
    return wrap("taskStartedEventDetails", resource(resource));
  }

  static ObjectNode taskSucceeded(String resource, JsonNode output) {
    ObjectNode d = resource(resource);
    d.put("output", str(output));
    d.putObject("outputDetails").put("truncated", false);
    return wrap("taskSucceededEventDetails", d);
  }

  static ObjectNode taskFailed(String resource, String error, String cause) {
    ObjectNode d = resource(resource);
    d.put("error", error);
    d.put("cause", cause);
    return wrap("taskFailedEventDetails", d);
  }

  static ObjectNode taskTimedOut(String resource, String error, String cause) {
    ObjectNode d = resource(resource);
    d.put("error", error);
    d.put("cause", cause);
    return wrap("taskTimedOutEventDetails", d);
  }

  static ObjectNode executionSucceeded(JsonNode output) {
    ObjectNode d = F.objectNode();
    d.put("output", str(output));
    d.putObject("outputDetails").put("truncated", false);
    return wrap("executionSucceededEventDetails", d);
  }

  static ObjectNode errorDetails(String member, String error, String cause) {
    ObjectNode d = F.objectNode();
    if (error != null) {
      d.put("error", error);
    }
    if (cause != null) {
      d.put("cause", cause);
    }
    return wrap(member, d);
  }

  static ObjectNode executionRedriven(int redriveCount) {
    ObjectNode d = F.objectNode();
    d.put("redriveCount", redriveCount);
    return wrap("executionRedrivenEventDetails", d);
  }

  static ObjectNode mapStateStarted(int length) {
    ObjectNode d = F.objectNode();
    d.put("length", length);
    return wrap("mapStateStartedEventDetails", d);
  }

  static ObjectNode mapIteration(String member, String name, int index) {
    ObjectNode d = F.objectNode();
    d.put("name", name);
    d.put("index", index);
    return wrap(member, d);
  }

  static ObjectNode none() {
    return F.objectNode();
  }

  /** {@code resourceType}/{@code resource} split as Step Functions shows service integrations. */
  static ObjectNode resource(String resource) {
    ObjectNode d = F.objectNode();
    if (resource.startsWith("arn:aws:states:::")) {
      String rest = resource.substring("arn:aws:states:::".length());
      int colon = rest.indexOf(':');
      d.put("resourceType", colon < 0 ? rest : rest.substring(0, colon));
      d.put("resource", colon < 0 ? rest : rest.substring(colon + 1));
    } else if (resource.startsWith("http://") || resource.startsWith("https://")) {
      d.put("resourceType", "http");
      d.put("resource", resource);
    } else {
      d.put("resourceType", "bulwark");
      d.put("resource", resource);
    }
    return d;
  }
}
