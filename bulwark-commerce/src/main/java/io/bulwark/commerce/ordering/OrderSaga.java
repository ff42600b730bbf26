package io.bulwark.commerce.ordering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.commerce.internal.Resources;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.Transactions;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every order's saga on the durable state-machine engine from the seed's definition ({@code
 * order-saga.asl.json}, unchanged): ReserveInventory (Retry on {@code States.TaskFailed}, Catch
 * {@code InsufficientStockError} → HandleInventoryFailure) → ProcessPayment (Catch {@code
 * PaymentFailedError} → CompensateInventory) → ConfirmOrder, with its tasks bound to the commerce
 * contexts by {@link OrderSagaFunctions}. Each order's execution is named by the order id and
 * starts in the transaction that places the order, so an acknowledged order always has its saga;
 * VIP customers' executions have priority 1.
 *
 * <p>The seed's definition compensates only the two errors it catches. When an execution ends any
 * other way (an error no Catch names, a timeout, a stop), the engine tells this class in the
 * transaction that records the end, and it starts {@code order-compensation} for the order there
 * (release the stock, refund any charge, then record the order FAILED; retried until it works). So
 * every order reaches CONFIRMED or FAILED, and every step is in an execution history.
 *
 * <pre>{@code
 * OrderSaga saga = new OrderSaga(store, orderLog, tx, engineTransactions, bus);
 * Engine engine = saga.bind(Engine.builder(database), functions).build();
 * saga.attach(engine);
 * engine.startWorkers();
 * }</pre>
 */
public final class OrderSaga implements OrderService.SagaStarter {

  /** The seed's order saga, as registered with the engine. */
  public static final String MACHINE = "order-saga";

  /** Compensation of sagas that ended without compensating. */
  public static final String COMPENSATION = "order-compensation";

  private static final String DEFINITION = "/io/bulwark/states/order-saga.asl.json";
  private static final String COMPENSATION_DEFINITION =
      "/io/bulwark/commerce/ordering/order-compensation.asl.json";
  private static final Logger log = LoggerFactory.getLogger(OrderSaga.class);

  private final OrderSagaStore store;
  private final OrderLog orderLog;
  private final Transactions tx;
  private final EngineTransactions engineTransactions;
  private final EventBus bus;
  private volatile Engine engine;

  /**
   * A saga recording on {@code orderLog}, starting executions through {@code engineTransactions};
   * bind it to an engine, then attach the engine.
   */
  public OrderSaga(
      OrderSagaStore store,
      OrderLog orderLog,
      Transactions tx,
      EngineTransactions engineTransactions,
      EventBus bus) {
    this.store = store;
    this.orderLog = orderLog;
    this.tx = tx;
    this.engineTransactions = engineTransactions;
    this.bus = bus;
  }

  /**
   * Binds the saga's functions and its execution-end listeners to the engine being built. The
   * functions are bound for the shop's own two machines only ({@link Engine.Builder#ownTask}): no
   * machine an operator defines can call them, and the API can neither redefine these two nor start
   * them, so the functions only ever run for the executions the shop started for its orders.
   */
  public Engine.Builder bind(Engine.Builder builder, OrderSagaFunctions functions) {
    return builder
        .ownTask(MACHINE, OrderSagaFunctions.RESOURCE, functions)
        .ownTask(COMPENSATION, OrderSagaFunctions.RESOURCE, functions)
        .onCompletion(MACHINE, engineTransactions.listener(this::sagaEnded))
        .onCompletion(COMPENSATION, engineTransactions.listener(this::compensationEnded));
  }

  /**
   * Uses {@code engine} (built with {@link #bind}): registers both definitions (unchanged ones keep
   * their version) and hands sagas left in the table of the earlier hand-written runner to it.
   */
  public void attach(Engine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
    engine.createOwnStateMachine(MACHINE, Resources.text(DEFINITION));
    engine.createOwnStateMachine(COMPENSATION, Resources.text(COMPENSATION_DEFINITION));
    int adopted = adoptLegacySagas();
    if (adopted > 0) {
      log.info("moved {} unfinished sagas of the earlier saga runner onto the engine", adopted);
    }
  }

  /** The engine the sagas run on. */
  public Engine engine() {
    Engine e = engine;
    if (e == null) {
      throw new IllegalStateException("the order saga has no engine: call attach first");
    }
    return e;
  }

  @Override
  public void start(UUID orderId, boolean vip) {
    ObjectNode input = Json.object();
    input.put("orderId", orderId.toString());
    engineTransactions.start(engine(), MACHINE, orderId.toString(), input, vip ? 1 : 0);
  }

  /** Wakes this process's idle engine workers. */
  public void wake() {
    engine().wake();
  }

  /** The arn of {@code orderId}'s saga execution (its history shows every step). */
  public static String executionArn(UUID orderId) {
    return Engine.executionArn(MACHINE, orderId.toString());
  }

  /** Number of order sagas and compensations still running. */
  public int unfinished() {
    return store.running(List.of(MACHINE, COMPENSATION));
  }

  /**
   * Number of orders waiting in the intake queue: order sagas RUNNING whose current state is still
   * the first one, {@link OrderSagaTasks#RESERVE_INVENTORY} (a retried reservation included).
   */
  public long queued() {
    return store.runningIn(MACHINE, OrderSagaTasks.RESERVE_INVENTORY);
  }

  /** An order saga ended; start compensation if it ended without one. */
  private void sagaEnded(Execution e) {
    Order order = pending(e);
    if (order == null) {
      return;
    }
    if (e.status() == ExecutionStatus.SUCCEEDED) {
      log.warn("saga of order {} succeeded but the order is still {}", order.id(), order.status());
      return;
    }
    ObjectNode input = Json.object();
    input.put("orderId", order.id().toString());
    input.put("Error", e.error() == null ? "States." + e.status().name() : e.error());
    input.put("Cause", e.cause() == null ? "the order saga ended " + e.status() : e.cause());
    if (engineTransactions
        .startUnlessExists(engine(), COMPENSATION, order.id().toString(), input, 0)
        .isPresent()) {
      log.info(
          "saga of order {} ended {} ({}); compensating",
          order.id(),
          e.status(),
          input.get("Error"));
    } // else a redriven saga failed again: its compensation exists already
  }

  /** A compensation ended; if it gave up, the order still fails (stock expires, refunds retry). */
  private void compensationEnded(Execution e) {
    Order order = pending(e);
    if (order == null || e.status() == ExecutionStatus.SUCCEEDED) {
      return;
    }
    log.error(
        "compensation of order {} ended {}: {} {}; failing the order anyway (its reservation"
            + " expires, recorded refunds are retried)",
        order.id(),
        e.status(),
        e.error(),
        e.cause());
    Map<String, Object> failed = new LinkedHashMap<>();
    failed.put("error", e.error() == null ? "States." + e.status().name() : e.error());
    failed.put(
        "reason",
        "order failed; compensation did not complete: "
            + OrderSagaFunctions.reason(errorOutput(e)));
    failed.put("failedState", "CompensateInventory");
    List<DomainEvent> appended =
        orderLog.append(
            order.id(), order.version(), List.of(new OrderLog.Pending(OrderEvents.FAILED, failed)));
    // the engine does not say when it commits: at worst a subscriber sees the event early
    tx.afterCommit(() -> appended.forEach(bus::publish));
  }

  private static JsonNode errorOutput(Execution e) {
    ObjectNode n = Json.object();
    n.put("Error", e.error());
    n.put("Cause", e.cause());
    return n;
  }

  /** The order an execution is named after, if it exists and has not ended; else null. */
  private Order pending(Execution e) {
    UUID id;
    try {
      id = UUID.fromString(e.name());
    } catch (IllegalArgumentException foreign) {
      return null;
    }
    return orderLog.order(id).filter(order -> !order.terminal()).orElse(null);
  }

  /**
   * Starts an execution for every saga the earlier hand-written runner left unfinished in {@code
   * ordering_sagas}: one in a compensation state is compensated, any other runs the saga from the
   * start (its tasks are idempotent per order).
   */
  private int adoptLegacySagas() {
    return tx.inTransaction(
        () -> {
          List<OrderSagaStore.LegacySaga> sagas = store.lockUnfinishedLegacySagas();
          for (OrderSagaStore.LegacySaga saga : sagas) {
            boolean compensating =
                saga.state().equals(OrderSagaTasks.HANDLE_INVENTORY_FAILURE)
                    || saga.state().equals(OrderSagaTasks.COMPENSATE_INVENTORY);
            ObjectNode input = Json.object();
            input.put("orderId", saga.orderId().toString());
            if (compensating) {
              input.put(
                  "Error", saga.errorType() == null ? "OrderProcessingFailed" : saga.errorType());
              input.put("Cause", saga.errorCause() == null ? "order failed" : saga.errorCause());
            }
            // an execution that exists was adopted by another process that started at the same time
            engineTransactions.startUnlessExists(
                engine,
                compensating ? COMPENSATION : MACHINE,
                saga.orderId().toString(),
                input,
                saga.priority());
            store.markAdopted(saga.orderId());
          }
          return sagas.size();
        });
  }
}
