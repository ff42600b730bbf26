package io.bulwark.eventstore;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * What a {@link MessageSink} did with a batch, by message id: the messages delivered, and the ones
 * whose delivery failed with their errors. A message of the batch in neither was not attempted; the
 * relay leaves it for a later round untouched (no attempt is counted against it).
 *
 * @param delivered ids of the messages delivered (acknowledged by the receiving side)
 * @param failed ids of the messages whose delivery failed, each with its error
 */
public record DeliveryReport(Set<UUID> delivered, Map<UUID, Exception> failed) {

  /**
   * Copies the collections.
   *
   * @throws IllegalArgumentException a message is both delivered and failed
   */
  public DeliveryReport {
    delivered = Set.copyOf(Objects.requireNonNull(delivered, "delivered"));
    failed = Map.copyOf(Objects.requireNonNull(failed, "failed"));
    for (UUID id : failed.keySet()) {
      if (delivered.contains(id)) {
        throw new IllegalArgumentException(
            "a message is either delivered or failed, but " + id + " was reported as both");
      }
    }
  }
}
