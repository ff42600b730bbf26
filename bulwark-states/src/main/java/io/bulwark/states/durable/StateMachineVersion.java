package io.bulwark.states.durable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** A registered state machine definition; registering a changed definition adds a version. */
public record StateMachineVersion(
    String name, int version, JsonNode definition, Instant creationDate) {

  /** {@code arn:aws:states:local:000000000000:stateMachine:<name>}. */
  public String stateMachineArn() {
    return Engine.stateMachineArn(name);
  }

  /** {@code {"stateMachineArn","name","version","creationDate","definition"}}. */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("stateMachineArn", stateMachineArn());
    n.put("name", name);
    n.put("version", version);
    n.put("creationDate", creationDate.toString());
    n.set("definition", definition);
    return n;
  }
}
