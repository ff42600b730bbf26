package io.bulwark.commerce.ordering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.commerce.internal.Transactions;
import io.bulwark.kernel.Json;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.StatesException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
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
 * OrderSaga saga = new OrderSaga(dataSource, orderLog, bus);
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

  private final Transactions tx;
  private final OrderLog orderLog;
  private final EventBus bus;
  private volatile Engine engine;

  /** A saga recording on {@code orderLog}; bind it to an engine, then attach the engine. */
  public OrderSaga(DataSource dataSource, OrderLog orderLog, EventBus bus) {
    this.tx = new Transactions(dataSource);
    this.orderLog = orderLog;
    this.bus = bus;
  }

  /** Binds the saga's functions and its execution-end listeners to the engine being built. */
  public Engine.Builder bind(Engine.Builder builder, OrderSagaFunctions functions) {
    return builder
        .task(OrderSagaFunctions.RESOURCE, functions)
        .onCompletion(MACHINE, this::sagaEnded)
        .onCompletion(COMPENSATION, this::compensationEnded);
  }

  /**
   * Uses {@code engine} (built with {@link #bind}): registers both definitions (unchanged ones keep
   * their version) and hands sagas left in the table of the earlier hand-written runner to it.
   */
  public void attach(Engine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
    engine.createStateMachine(MACHINE, resource(DEFINITION));
    engine.createStateMachine(COMPENSATION, resource(COMPENSATION_DEFINITION));
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
  public void start(Connection transaction, UUID orderId, boolean vip) throws SQLException {
    ObjectNode input = Json.object();
    input.put("orderId", orderId.toString());
    engine().start(transaction, MACHINE, orderId.toString(), input, vip ? 1 : 0);
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
    return tx.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select count(*) from states_executions where parent_arn is null and status ="
                      + " 'RUNNING' and machine_name in (?, ?)")) {
            ps.setString(1, MACHINE);
            ps.setString(2, COMPENSATION);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getInt(1);
            }
          }
        });
  }

  /** An order saga ended; start compensation if it ended without one. */
  private void sagaEnded(Connection c, Execution e) throws SQLException {
    Order order = pending(c, e);
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
    try {
      engine().start(c, COMPENSATION, order.id().toString(), input, 0);
      log.info(
          "saga of order {} ended {} ({}); compensating",
          order.id(),
          e.status(),
          input.get("Error"));
    } catch (StatesException.Conflict alreadyCompensating) {
      // a redriven saga failed again: its compensation exists already
    }
  }

  /** A compensation ended; if it gave up, the order still fails (stock expires, refunds retry). */
  private void compensationEnded(Connection c, Execution e) throws SQLException {
    Order order = pending(c, e);
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
            c,
            order.id(),
            order.version(),
            List.of(new OrderLog.Pending(OrderEvents.FAILED, failed)));
    appended.forEach(bus::publish); // before commit: at worst a subscriber sees it early
  }

  private static JsonNode errorOutput(Execution e) {
    ObjectNode n = Json.object();
    n.put("Error", e.error());
    n.put("Cause", e.cause());
    return n;
  }

  /** The order an execution is named after, if it exists and has not ended; else null. */
  private Order pending(Connection c, Execution e) throws SQLException {
    UUID id;
    try {
      id = UUID.fromString(e.name());
    } catch (IllegalArgumentException foreign) {
      return null;
    }
    List<DomainEvent> events = orderLog.stream(c, id);
    if (events.isEmpty()) {
      return null;
    }
    Order order = OrderEvents.fold(id, events);
    return order.terminal() ? null : order;
  }

  /**
   * Starts an execution for every saga the earlier hand-written runner left unfinished in {@code
   * ordering_sagas}: one in a compensation state is compensated, any other runs the saga from the
   * start (its tasks are idempotent per order).
   */
  private int adoptLegacySagas() {
    return tx.inTransaction(
        c -> {
          List<Object[]> rows = new ArrayList<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "select order_id, state, priority, error_type, error_cause from"
                          + " ordering_sagas where state <> 'Done' for update skip locked");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              rows.add(
                  new Object[] {
                    rs.getObject(1, UUID.class),
                    rs.getString(2),
                    rs.getInt(3),
                    rs.getString(4),
                    rs.getString(5)
                  });
            }
          }
          for (Object[] row : rows) {
            UUID id = (UUID) row[0];
            String state = (String) row[1];
            boolean compensating =
                state.equals(OrderSagaTasks.HANDLE_INVENTORY_FAILURE)
                    || state.equals(OrderSagaTasks.COMPENSATE_INVENTORY);
            ObjectNode input = Json.object();
            input.put("orderId", id.toString());
            if (compensating) {
              input.put("Error", row[3] == null ? "OrderProcessingFailed" : (String) row[3]);
              input.put("Cause", row[4] == null ? "order failed" : (String) row[4]);
            }
            try {
              engine.start(
                  c, compensating ? COMPENSATION : MACHINE, id.toString(), input, (int) row[2]);
            } catch (StatesException.Conflict alreadyThere) {
              // adopted by another process that started at the same time
            }
            try (PreparedStatement ps =
                c.prepareStatement("update ordering_sagas set state = 'Done' where order_id = ?")) {
              ps.setObject(1, id);
              ps.executeUpdate();
            }
          }
          return rows.size();
        });
  }

  private static String resource(String path) {
    try (InputStream in = OrderSaga.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("state machine definition " + path + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
