package io.bulwark.states.durable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One event of an execution's history, shaped like Step Functions' {@code GetExecutionHistory}: ids
 * count from 1 per execution and each points at the previous one.
 *
 * @param type like {@code ExecutionStarted}, {@code TaskStateEntered}, {@code TaskScheduled}
 * @param details the {@code …EventDetails} member, e.g. {@code {"stateEnteredEventDetails":{…}}}
 */
public record HistoryEvent(
    long id, long previousEventId, Instant timestamp, String type, JsonNode details) {

  /** {@code {"id":…,"previousEventId":…,"timestamp":…,"type":…,"<x>EventDetails":{…}}}. */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("id", id);
    n.put("previousEventId", previousEventId);
    n.put("timestamp", timestamp.toString());
    n.put("type", type);
    if (details != null && details.isObject()) {
      n.setAll((ObjectNode) details);
    }
    return n;
  }
}
