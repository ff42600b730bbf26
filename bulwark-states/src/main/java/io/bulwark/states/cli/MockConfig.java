package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.states.StatesError;
import io.bulwark.states.TaskHandler;
import java.util.Iterator;

/** Task handler answering from a Step Functions Local mock config test case. */
final class MockConfig implements TaskHandler {
  private final JsonNode testCase;
  private final JsonNode responses;

  private MockConfig(JsonNode testCase, JsonNode responses) {
    this.testCase = testCase;
    this.responses = responses;
  }

  /** A handler with no mocks: every Task fails with States.TaskFailed. */
  static MockConfig none() {
    return new MockConfig(null, null);
  }

  static MockConfig of(JsonNode config, String machine, String testCaseName, String file) {
    JsonNode machines = config.path("StateMachines");
    if (!machines.isObject() || machines.isEmpty()) {
      throw new IllegalArgumentException(file + ": StateMachines: required, a non-empty object");
    }
    if (machine == null) {
      if (machines.size() != 1) {
        throw new IllegalArgumentException(
            file + ": StateMachines has " + machines.size() + " entries; pass --state-machine");
      }
      machine = machines.fieldNames().next();
    }
    JsonNode cases = machines.path(machine).path("TestCases");
    if (!cases.has(testCaseName)) {
      throw new IllegalArgumentException(
          file + ": StateMachines." + machine + ".TestCases: no test case '" + testCaseName + "'");
    }
    return new MockConfig(cases.get(testCaseName), config.path("MockedResponses"));
  }

  @Override
  public JsonNode invoke(String stateName, String resource, JsonNode input, int attempt) {
    if (testCase == null || !testCase.has(stateName)) {
      throw new StatesError(
          "States.TaskFailed", "No mocked response for state '" + stateName + "'");
    }
    String responseName = testCase.get(stateName).asText();
    JsonNode response = responses.path(responseName);
    JsonNode chosen = null;
    Iterator<String> keys = response.fieldNames();
    while (keys.hasNext()) {
      String key = keys.next();
      String[] range = key.split("-");
      try {
        int from = Integer.parseInt(range[0].trim());
        int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
        if (attempt >= from && attempt <= to) {
          chosen = response.get(key);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "MockedResponses." + responseName + ": invalid attempt key '" + key + "'", e);
      }
    }
    if (chosen == null) {
      throw new StatesError(
          "States.TaskFailed",
          "No mocked response '"
              + responseName
              + "' for state '"
              + stateName
              + "' attempt "
              + attempt);
    }
    if (chosen.has("Throw")) {
      JsonNode t = chosen.get("Throw");
      throw new StatesError(t.path("Error").asText(null), t.path("Cause").asText(null));
    }
    return chosen.get("Return");
  }
}
