package io.bulwark.states.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.bulwark.states.durable.Engine;
import java.util.Map;

/**
 * The service's ARNs ({@code arn:aws:states:<region>:<account>:stateMachine:<name>}, {@code
 * …:execution:<machine>:<name>}) with the configured region and account, and their translation to
 * and from the engine's own ARNs.
 */
final class AwsArns {
  private static final String ENGINE_PREFIX =
      Engine.stateMachineArn("").substring(0, Engine.stateMachineArn("").length() - 13);

  private final String prefix;
  private final String region;
  private final String accountId;

  AwsArns(String region, String accountId) {
    this.region = region;
    this.accountId = accountId;
    this.prefix = "arn:aws:states:" + region + ":" + accountId + ":";
  }

  String region() {
    return region;
  }

  String stateMachine(String name) {
    return prefix + "stateMachine:" + name;
  }

  String execution(String machine, String name) {
    return prefix + "execution:" + machine + ":" + name;
  }

  /** The ARN of an IAM role in this account, for machines created without one. */
  String defaultRole() {
    return "arn:aws:iam::" + accountId + ":role/bulwark-states";
  }

  /** The name of the state machine of {@code arn} (member {@code member}); throws InvalidArn. */
  String machineName(String member, String arn) {
    String[] parts = split(member, arn, "stateMachine", 7);
    return parts[6];
  }

  /** The engine's ARN of the execution {@code arn}; throws InvalidArn. */
  String engineExecution(String member, String arn) {
    String[] parts = split(member, arn, "execution", 8);
    return Engine.executionArn(parts[6], parts[7]);
  }

  /** The state machine name of execution {@code arn}; throws InvalidArn. */
  String executionMachine(String member, String arn) {
    return split(member, arn, "execution", 8)[6];
  }

  /** The service's ARN of an engine ARN; other strings unchanged. */
  String fromEngine(String engineArn) {
    return engineArn != null && engineArn.startsWith(ENGINE_PREFIX)
        ? prefix + engineArn.substring(ENGINE_PREFIX.length())
        : engineArn;
  }

  /** {@code node} with every engine ARN in its string values replaced by the service's. */
  JsonNode fromEngine(JsonNode node) {
    if (node.isTextual() && node.asText().startsWith(ENGINE_PREFIX)) {
      return TextNode.valueOf(fromEngine(node.asText()));
    }
    if (node.isObject()) {
      ObjectNode copy = ((ObjectNode) node).objectNode();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        copy.set(field.getKey(), fromEngine(field.getValue()));
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = ((ArrayNode) node).arrayNode();
      node.forEach(n -> copy.add(fromEngine(n)));
      return copy;
    }
    return node;
  }

  private String[] split(String member, String arn, String resourceType, int parts) {
    if (arn == null) {
      throw AwsError.validation(member, null, "Member must not be null");
    }
    String[] p = arn.split(":", -1);
    if (p.length < 6 || !"arn".equals(p[0]) || !"states".equals(p[2])) {
      throw AwsError.of("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: " + arn + "'");
    }
    if (!p[5].equals(resourceType)) {
      throw AwsError.of(
          "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: " + p[5] + "'");
    }
    if (p.length != parts || p[parts - 1].isEmpty() || p[6].isEmpty()) {
      throw AwsError.of("InvalidArn", "Invalid Arn: '" + arn + "'");
    }
    if (!p[3].equals(region) || !p[4].equals(accountId)) {
      throw AwsError.of(
          "InvalidArn",
          "Invalid Arn: '"
              + arn
              + "': this endpoint serves region "
              + region
              + " and account "
              + accountId);
    }
    return p;
  }
}
