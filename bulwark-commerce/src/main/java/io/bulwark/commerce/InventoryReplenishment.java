package io.bulwark.commerce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.commerce.internal.Resources;
import io.bulwark.commerce.inventory.Inventory;
import io.bulwark.commerce.inventory.ReplenishmentWorkflow;
import io.bulwark.commerce.inventory.StockLevel;
import io.bulwark.commerce.ordering.EngineTransactions;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.Transactions;
import io.bulwark.states.StatesError;
import io.bulwark.states.durable.DurableTaskHandler;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.StatesException;
import io.bulwark.states.durable.TaskRequest;
import io.bulwark.states.durable.TaskTransaction;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Inventory's replenishment requests run on the durable state-machine engine, as the shop's own
 * machine {@value #MACHINE} ({@code inventory-replenishment.asl.json}): AwaitApproval and
 * AwaitReceipt are {@code .waitForTaskToken} tasks that record the request waiting, and an
 * operator's approve or receive sends their task success, a reject fails the approval with {@value
 * #REJECTED}, which RecordRejection records; AddStock adds the goods to stock in the step's
 * transaction, once. The four task resources are bound for this machine only.
 *
 * <pre>{@code
 * InventoryReplenishment r = new InventoryReplenishment(tx, engineTransactions);
 * Inventory inventory = new Inventory(store, tx, bus, ttl, clock, r);
 * Engine engine = r.bind(Engine.builder(database)).build();
 * r.attach(engine, inventory);
 * }</pre>
 */
final class InventoryReplenishment implements ReplenishmentWorkflow, DurableTaskHandler {

  /** The state machine, as registered with the engine. */
  static final String MACHINE = "inventory-replenishment";

  static final String AWAIT_APPROVAL = "bulwark:inventory:await-approval";
  static final String AWAIT_RECEIPT = "bulwark:inventory:await-receipt";
  static final String ADD_STOCK = "bulwark:inventory:add-stock";
  static final String RECORD_REJECTION = "bulwark:inventory:record-rejection";

  /** The error a rejected approval fails with, which the definition catches. */
  static final String REJECTED = "ReplenishmentRejected";

  private static final String CALLBACK = ".waitForTaskToken";
  private static final String DEFINITION =
      "/io/bulwark/commerce/inventory/inventory-replenishment.asl.json";

  private final Transactions tx;
  private final EngineTransactions engineTransactions;
  private volatile Engine engine;
  private volatile Inventory inventory;

  /** Replenishment starting its executions through {@code engineTransactions}. */
  InventoryReplenishment(Transactions tx, EngineTransactions engineTransactions) {
    this.tx = tx;
    this.engineTransactions = engineTransactions;
  }

  /** Binds the machine's four tasks to this class, for the machine's executions only. */
  Engine.Builder bind(Engine.Builder builder) {
    return builder
        .ownTask(MACHINE, AWAIT_APPROVAL, this)
        .ownTask(MACHINE, AWAIT_RECEIPT, this)
        .ownTask(MACHINE, ADD_STOCK, this)
        .ownTask(MACHINE, RECORD_REJECTION, this);
  }

  /** Uses {@code engine} (built with {@link #bind}) for {@code inventory}'s requests. */
  void attach(Engine engine, Inventory inventory) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.inventory = Objects.requireNonNull(inventory, "inventory");
    engine.createOwnStateMachine(MACHINE, Resources.text(DEFINITION));
  }

  @Override
  public void start(UUID requestId) {
    Engine e = engine();
    ObjectNode input = Json.object();
    input.put("requestId", requestId.toString());
    engineTransactions.start(e, MACHINE, requestId.toString(), input, 0);
    tx.afterCommit(e::wake);
  }

  @Override
  public void proceed(String taskToken, int quantity) {
    ObjectNode output = Json.object();
    output.put("quantity", quantity);
    ifWaiting(() -> engine().sendTaskSuccess(taskToken, output));
  }

  @Override
  public void reject(String taskToken, String reason) {
    ifWaiting(() -> engine().sendTaskFailure(taskToken, REJECTED, reason));
  }

  private static void ifWaiting(Runnable send) {
    try {
      send.run();
    } catch (StatesException.NotFound moved) {
      throw new CommerceException.Conflict(
          "replenishment-not-waiting",
          "the replenishment's workflow no longer waits for this step: " + moved.getMessage(),
          moved);
    }
  }

  /** Every task is short work on the engine's database: it commits with the step. */
  @Override
  public boolean joinsTransaction(TaskRequest request) {
    return true;
  }

  @Override
  public JsonNode invoke(TaskRequest request) {
    return run(request);
  }

  @Override
  public JsonNode invoke(TaskRequest request, TaskTransaction transaction) {
    return engineTransactions.within(transaction, () -> run(request));
  }

  private JsonNode run(TaskRequest request) {
    UUID id = UUID.fromString(request.input().path("requestId").asText());
    String resource = request.resource();
    String task =
        resource.endsWith(CALLBACK)
            ? resource.substring(0, resource.length() - CALLBACK.length())
            : resource;
    ObjectNode result = Json.object();
    result.put("requestId", id.toString());
    switch (task) {
      case AWAIT_APPROVAL -> inventory().awaitApproval(id, token(request));
      case AWAIT_RECEIPT -> inventory().awaitReceipt(id, quantity(request), token(request));
      case ADD_STOCK -> {
        Optional<StockLevel> after = inventory().receiveStock(id, quantity(request));
        result.put("added", after.isPresent());
        after.ifPresent(s -> result.put("sku", s.sku()).put("available", s.available()));
      }
      case RECORD_REJECTION ->
          inventory().recordRejection(id, request.input().path("reason").asText(""));
      default ->
          throw new StatesError(
              "States.TaskFailed", "no replenishment task is bound to " + resource);
    }
    return result;
  }

  private static String token(TaskRequest request) {
    if (request.taskToken() == null) {
      throw new StatesError(
          "States.TaskFailed", request.stateName() + " must be a .waitForTaskToken task");
    }
    return request.taskToken();
  }

  private static int quantity(TaskRequest request) {
    JsonNode q = request.input().path("quantity");
    if (!q.canConvertToInt() || q.intValue() < 1) {
      throw new StatesError(
          "States.TaskFailed", request.stateName() + " needs a quantity >= 1 but got " + q);
    }
    return q.intValue();
  }

  private Engine engine() {
    Engine e = engine;
    if (e == null) {
      throw new IllegalStateException("replenishment has no engine: call attach first");
    }
    return e;
  }

  private Inventory inventory() {
    Inventory i = inventory;
    if (i == null) {
      throw new IllegalStateException("replenishment has no inventory: call attach first");
    }
    return i;
  }
}
