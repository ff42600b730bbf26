package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Retry bookkeeping of one state: the overall attempt (0 for the first, exposed as {@code
 * $$.State.RetryCount}) and how many retries each Retrier has used, by Retrier index.
 */
public record RetryState(int attempt, List<Integer> retriesPerRetrier) {
  /** The state of a first attempt. */
  public static RetryState initial() {
    return new RetryState(0, List.of());
  }

  /** Checks and copies. */
  public RetryState {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must be >= 0 but was " + attempt);
    }
    retriesPerRetrier = List.copyOf(retriesPerRetrier);
  }

  /** Retries already used by the Retrier at {@code index}. */
  public int retriesOf(int index) {
    return index < retriesPerRetrier.size() ? retriesPerRetrier.get(index) : 0;
  }

  /** The state after one more retry by the Retrier at {@code index}. */
  public RetryState afterRetryBy(int index) {
    List<Integer> counts = new ArrayList<>(retriesPerRetrier);
    while (counts.size() <= index) {
      counts.add(0);
    }
    counts.set(index, counts.get(index) + 1);
    return new RetryState(attempt + 1, counts);
  }

  /** {@code {"attempt":n,"retriers":[…]}}. */
  public ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("attempt", attempt);
    retriesPerRetrier.forEach(node.putArray("retriers")::add);
    return node;
  }

  /** Reads {@link #toJson()}; a missing or null node is the initial state. */
  public static RetryState fromJson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return initial();
    }
    List<Integer> counts = new ArrayList<>();
    node.path("retriers").forEach(n -> counts.add(n.asInt()));
    return new RetryState(node.path("attempt").asInt(0), counts);
  }
}
