package io.bulwark.commerce.inventory;

import java.util.UUID;

/**
 * Runs each replenishment request as a state-machine execution: inventory opens a request, the
 * workflow waits for an operator's approval and for the goods, and calls inventory back to record
 * each step ({@link Inventory#awaitApproval}, {@link Inventory#awaitReceipt}, {@link
 * Inventory#receiveStock}), or records it rejected ({@link Inventory#recordRejection}).
 */
public interface ReplenishmentWorkflow {

  /**
   * Starts the workflow of request {@code requestId} in the transaction open on this thread: it
   * exists exactly when the request does.
   */
  void start(UUID requestId);

  /**
   * Ends the step the workflow waits in (the one that gave out {@code taskToken}) with {@code
   * quantity} units.
   *
   * @throws io.bulwark.commerce.CommerceException.Conflict when it no longer waits there
   */
  void proceed(String taskToken, int quantity);

  /**
   * Fails the approval step the workflow waits in (the one that gave out {@code taskToken}) as
   * rejected for {@code reason}.
   *
   * @throws io.bulwark.commerce.CommerceException.Conflict when it no longer waits there
   */
  void reject(String taskToken, String reason);
}
