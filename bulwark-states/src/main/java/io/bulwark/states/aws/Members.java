package io.bulwark.states.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The members of one request body, read with the service's validation messages. */
final class Members {
  private final ObjectNode body;

  Members(ObjectNode body) {
    this.body = body;
  }

  /** A string member that must be present and not empty. */
  String required(String name) {
    String value = optional(name);
    if (value == null) {
      throw AwsError.validation(name, null, "Member must not be null");
    }
    if (value.isEmpty()) {
      throw AwsError.validation(name, value, "Member must have length greater than or equal to 1");
    }
    return value;
  }

  /** A string member, or null. */
  String optional(String name) {
    JsonNode n = body.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw wrongType(name, "a string", n);
    }
    return n.asText();
  }

  /** An integer member within {@code min..max}, or {@code fallback} when absent. */
  int integer(String name, int min, int max, int fallback) {
    JsonNode n = body.get(name);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isIntegralNumber()) {
      throw wrongType(name, "an integer", n);
    }
    long v = n.asLong();
    if (v < min || v > max) {
      throw AwsError.validation(
          name,
          v,
          "Member must have value "
              + (v < min ? "greater" : "less")
              + " than or equal to "
              + (v < min ? min : max));
    }
    return (int) v;
  }

  /** A boolean member, or {@code fallback} when absent. */
  boolean bool(String name, boolean fallback) {
    JsonNode n = body.get(name);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw wrongType(name, "a boolean", n);
    }
    return n.asBoolean();
  }

  /** A member as it came (null when absent). */
  JsonNode node(String name) {
    JsonNode n = body.get(name);
    return n == null || n.isNull() ? null : n;
  }

  private static AwsError wrongType(String name, String expected, JsonNode found) {
    return AwsError.of(
        "SerializationException", "member " + name + " must be " + expected + " but was " + found);
  }
}
