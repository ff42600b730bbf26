package io.bulwark.commerce.inventory;

import java.time.Instant;
import java.util.UUID;

/**
 * A request to restock a product that fell to its reorder point.
 *
 * @param id the request's id, also the name of the state-machine execution that runs it
 * @param sku the product
 * @param quantity units requested (or approved, once approved)
 * @param status where it is
 * @param receivedQuantity units received, once received; else null
 * @param requestedAt when the product fell to its reorder point
 * @param updatedAt last change
 * @param waiting whether the request's execution waits for the next operator step (approve when
 *     REQUESTED, receive when APPROVED)
 */
public record Replenishment(
    UUID id,
    String sku,
    int quantity,
    Status status,
    Integer receivedQuantity,
    Instant requestedAt,
    Instant updatedAt,
    boolean waiting) {

  /** Where a request is. */
  public enum Status {
    /** Opened; waits for an operator's approval. */
    REQUESTED,
    /** Approved; waits for the goods. */
    APPROVED,
    /** The goods are in stock. */
    RECEIVED,
    /** An operator turned it down. */
    REJECTED
  }
}
