package io.bulwark.commerce.ordering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.Transactions;
import io.bulwark.states.StatesError;
import io.bulwark.states.durable.DurableTaskHandler;
import io.bulwark.states.durable.TaskRequest;
import io.bulwark.states.durable.TaskTransaction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The order saga's tasks as the Lambda functions that the seed's state machine invokes through
 * {@code arn:aws:states:::lambda:invoke} ({@code Parameters.FunctionName}), behaving like that
 * integration: a result is the invoke response ({@code StatusCode} 200, {@code Payload}, …), and a
 * function error fails the task with the function's error type as the error and Lambda's {@code
 * {"errorMessage", "errorType"}} JSON as the cause, which Retry and Catch rules match.
 *
 * <p>Each function runs its task for the order its execution belongs to (executions are named by
 * order id, so the function finds its order even after a Catch replaced the state's input with the
 * error) and records the outcome on the order's stream ({@code InventoryReserved}, {@code
 * PaymentCharged}, {@code OrderConfirmed}, {@code OrderFailed}) unless it is there already: the
 * engine delivers a task again after a crash, and a repeated delivery changes nothing.
 */
public final class OrderSagaFunctions implements DurableTaskHandler {

  /** The Task resource the functions are bound to. */
  public static final String RESOURCE = "arn:aws:states:::lambda:invoke";

  /** Function names of the seed's definition, and the saga task each runs. */
  public static final Map<String, String> FUNCTIONS =
      Map.of(
          "inventory-reservation-function", OrderSagaTasks.RESERVE_INVENTORY,
          "payment-processing-function", OrderSagaTasks.PROCESS_PAYMENT,
          "order-confirmation-function", OrderSagaTasks.CONFIRM_ORDER,
          "inventory-failure-handler", OrderSagaTasks.HANDLE_INVENTORY_FAILURE,
          "inventory-compensation-function", OrderSagaTasks.COMPENSATE_INVENTORY);

  private static final String FUNCTION_ARN = "arn:aws:lambda:local:000000000000:function:";

  private final OrderLog orderLog;
  private final Transactions tx;
  private final EngineTransactions engineTransactions;
  private final OrderSagaTasks tasks;
  private final EventBus bus;
  private final Runnable onRecorded;

  /**
   * Functions recording on {@code orderLog}, in transactions of {@code tx} or, for the functions
   * that join the engine's transaction, in that one through {@code engineTransactions}.
   *
   * @param onRecorded runs after an order event was recorded (the projection listens)
   */
  public OrderSagaFunctions(
      OrderLog orderLog,
      Transactions tx,
      EngineTransactions engineTransactions,
      OrderSagaTasks tasks,
      EventBus bus,
      Runnable onRecorded) {
    this.orderLog = orderLog;
    this.tx = tx;
    this.engineTransactions = engineTransactions;
    this.tasks = tasks;
    this.bus = bus;
    this.onRecorded = onRecorded;
  }

  /**
   * Every function but the two that call the payment gateway over the network ({@code
   * payment-processing-function} and the refund of {@code inventory-compensation-function}) joins
   * the engine's transaction: the order event it records commits together with the saga's step.
   */
  @Override
  public boolean joinsTransaction(TaskRequest request) {
    String task = taskOf(request);
    return task != null
        && !task.equals(OrderSagaTasks.PROCESS_PAYMENT)
        && !task.equals(OrderSagaTasks.COMPENSATE_INVENTORY);
  }

  /**
   * {@code payment-processing-function} works around its call to the payment network: the payment
   * is opened in the transaction that reserved the stock, and the approval is recorded, with its
   * {@code PaymentCharged} event, in the transaction that records the task's success and confirms
   * the order; only a refusal or a failure takes a transaction of its own.
   */
  @Override
  public boolean worksAroundCall(TaskRequest request) {
    return OrderSagaTasks.PROCESS_PAYMENT.equals(taskOf(request));
  }

  /** The saga task of the function {@code request} invokes, or null for a function not served. */
  private static String taskOf(TaskRequest request) {
    return FUNCTIONS.get(request.input().path("FunctionName").asText(""));
  }

  @Override
  public JsonNode before(TaskRequest request, TaskTransaction transaction) {
    return asFunction(
        request,
        () -> {
          Order order = new Joined(orderId(request.executionArn()), transaction).order();
          open(order);
          String chargeId = engineTransactions.within(transaction, () -> tasks.openPayment(order));
          ObjectNode prepared = Json.object();
          prepared.put("customerId", order.customerId().toString());
          prepared.put("totalMinor", order.totalMinor());
          prepared.put("currency", order.currency());
          prepared.put("chargeId", chargeId);
          return prepared;
        });
  }

  @Override
  public JsonNode call(TaskRequest request, JsonNode prepared) {
    return asFunction(
        request,
        () -> {
          UUID id = orderId(request.executionArn());
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("orderId", id.toString());
          result.putAll(
              prepared.hasNonNull("chargeId")
                  ? Map.of("chargeId", prepared.get("chargeId").asText())
                  : tasks.requestPayment(
                      id,
                      UUID.fromString(prepared.path("customerId").asText()),
                      prepared.path("totalMinor").asLong(),
                      prepared.path("currency").asText()));
          return response(request, result);
        });
  }

  @Override
  public JsonNode after(TaskRequest request, JsonNode result, TaskTransaction transaction) {
    return asFunction(
        request,
        () -> {
          UUID id = orderId(request.executionArn());
          String chargeId = result.path("Payload").path("chargeId").asText();
          Joined recorder = new Joined(id, transaction);
          engineTransactions.within(
              transaction,
              () -> {
                tasks.recordPayment(id, chargeId);
                return null;
              });
          recorder.record(OrderEvents.PAYMENT_CHARGED, Map.of("chargeId", chargeId));
          return result;
        });
  }

  @Override
  public JsonNode invoke(TaskRequest request) {
    return respond(request, null);
  }

  @Override
  public JsonNode invoke(TaskRequest request, TaskTransaction transaction) {
    return respond(request, transaction);
  }

  /** Runs the function, in the engine's {@code joined} transaction unless that is null. */
  private JsonNode respond(TaskRequest request, TaskTransaction joined) {
    String function = request.input().path("FunctionName").asText("");
    String task = FUNCTIONS.get(function);
    if (task == null) {
      throw new StatesError(
          "Lambda.ResourceNotFoundException",
          "Function not found: "
              + FUNCTION_ARN
              + function
              + " (this shop serves "
              + String.join(", ", FUNCTIONS.keySet().stream().sorted().toList())
              + ")");
    }
    return asFunction(request, () -> response(request, run(task, request, joined)));
  }

  /** Lambda's invoke response carrying {@code result} as the function's payload. */
  private static JsonNode response(TaskRequest request, Map<String, Object> result) {
    ObjectNode response = Json.object();
    response.put("ExecutedVersion", "$LATEST");
    response.set("Payload", Json.mapper().valueToTree(result));
    response.putObject("SdkHttpMetadata").put("HttpStatusCode", 200);
    response.putObject("SdkResponseMetadata").put("RequestId", requestId(request));
    response.put("StatusCode", 200);
    return response;
  }

  /** Runs {@code work} as a function: its failures become the function's errors, as Lambda's. */
  private static JsonNode asFunction(TaskRequest request, Supplier<JsonNode> work) {
    try {
      return work.get();
    } catch (TaskFailure f) {
      throw functionError(request, f.type(), f.causeText(), f);
    } catch (RuntimeException e) { // the database of the ordering context, most likely
      throw functionError(request, TaskFailure.UNAVAILABLE, "ordering unavailable: " + e, e);
    }
  }

  private static StatesError functionError(
      TaskRequest request, String type, String message, Throwable failure) {
    ObjectNode cause = Json.object();
    cause.put("errorMessage", message);
    cause.put("errorType", type);
    cause.put("requestId", requestId(request));
    return new StatesError(type, cause.toString(), failure);
  }

  private Map<String, Object> run(String task, TaskRequest request, TaskTransaction joined) {
    UUID id = orderId(request.executionArn());
    Recorder recorder = joined == null ? new OwnTransactions(id) : new Joined(id, joined);
    Order order = recorder.order();
    JsonNode payload = request.input().path("Payload");
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("orderId", id.toString());
    switch (task) {
      case OrderSagaTasks.RESERVE_INVENTORY -> {
        open(order);
        result.putAll(tasks.reserveInventory(order));
        recorder.record(OrderEvents.INVENTORY_RESERVED, Map.of());
      }
      case OrderSagaTasks.PROCESS_PAYMENT -> {
        open(order);
        Map<String, Object> charged = tasks.processPayment(order);
        result.putAll(charged);
        recorder.record(OrderEvents.PAYMENT_CHARGED, charged);
      }
      case OrderSagaTasks.CONFIRM_ORDER -> {
        if (order.status() != OrderStatus.CONFIRMED) {
          open(order);
          result.putAll(tasks.confirmOrder(order));
          recorder.record(OrderEvents.CONFIRMED, Map.of());
        } else {
          result.put("confirmed", true);
        }
      }
      default -> {
        if (order.status() == OrderStatus.CONFIRMED) {
          throw closed(order);
        }
        Map<String, Object> done = tasks.run(task, order);
        result.putAll(done);
        Map<String, Object> failed = new LinkedHashMap<>();
        failed.put("error", payload.path("Error").asText("OrderProcessingFailed"));
        failed.put("reason", reason(payload));
        failed.put("failedState", "OrderFailed");
        failed.putAll(done);
        recorder.record(OrderEvents.FAILED, failed);
      }
    }
    return result;
  }

  /** The order id that names the execution ({@code …:execution:<machine>:<order id>}). */
  static UUID orderId(String executionArn) {
    String name = executionArn.substring(executionArn.lastIndexOf(':') + 1);
    try {
      return UUID.fromString(name);
    } catch (IllegalArgumentException e) {
      throw new TaskFailure(
          TaskFailure.ORDER_NOT_FOUND,
          "execution " + executionArn + " is not named by an order id",
          e);
    }
  }

  private static TaskFailure notFound(UUID id) {
    return new TaskFailure(TaskFailure.ORDER_NOT_FOUND, "order " + id + " does not exist", null);
  }

  /** Reads a function's order and records its outcome on the order's stream. */
  private interface Recorder {
    Order order();

    /**
     * Appends {@code type} to the order's stream unless it is there already (or, for a terminal
     * event, the order already ended), publishing it after the commit.
     */
    void record(String type, Map<String, Object> payload);
  }

  /**
   * In the engine's transaction: the order is read once, and the event is appended after the events
   * read (the engine's lock on the execution keeps other writers of the saga away).
   */
  private final class Joined implements Recorder {
    private final UUID id;
    private final TaskTransaction transaction;
    private final List<DomainEvent> events;

    Joined(UUID id, TaskTransaction transaction) {
      this.id = id;
      this.transaction = transaction;
      this.events = engineTransactions.within(transaction, () -> orderLog.stream(id));
      if (events.isEmpty()) {
        throw notFound(id);
      }
    }

    @Override
    public Order order() {
      return OrderEvents.fold(id, events);
    }

    @Override
    public void record(String type, Map<String, Object> payload) {
      if (alreadyRecorded(id, events, type)) {
        return;
      }
      try {
        engineTransactions.within(
            transaction,
            () -> {
              List<DomainEvent> appended =
                  orderLog.append(id, events.size(), List.of(new OrderLog.Pending(type, payload)));
              published(appended);
              return null;
            });
      } catch (OrderLog.VersionConflict e) {
        throw new TaskFailure(
            TaskFailure.UNAVAILABLE, "could not record " + type + ": " + e.getMessage(), e);
      }
    }
  }

  /** Has the projection woken and {@code appended} published once the transaction commits. */
  private void published(List<DomainEvent> appended) {
    if (!appended.isEmpty()) {
      tx.afterCommit(
          () -> {
            onRecorded.run();
            appended.forEach(bus::publish);
          });
    }
  }

  /** Whether {@code type} is on the stream, or (for an ending event) the order already ended. */
  private static boolean alreadyRecorded(UUID id, List<DomainEvent> events, String type) {
    boolean terminal = type.equals(OrderEvents.CONFIRMED) || type.equals(OrderEvents.FAILED);
    return events.stream().anyMatch(e -> e.type().equals(type))
        || (terminal && OrderEvents.fold(id, events).terminal());
  }

  /** In transactions of the function's own, for the functions that call the payment gateway. */
  private final class OwnTransactions implements Recorder {
    private final UUID id;

    OwnTransactions(UUID id) {
      this.id = id;
    }

    @Override
    public Order order() {
      return orderLog.order(id).orElseThrow(() -> notFound(id));
    }

    @Override
    public void record(String type, Map<String, Object> payload) {
      for (int attempt = 1; ; attempt++) {
        try {
          tx.inTransaction(
              () -> {
                List<DomainEvent> events = orderLog.stream(id);
                if (!alreadyRecorded(id, events, type)) {
                  published(
                      orderLog.append(
                          id, events.size(), List.of(new OrderLog.Pending(type, payload))));
                }
              });
          return;
        } catch (OrderLog.VersionConflict e) {
          if (attempt == 3) {
            throw new TaskFailure(
                TaskFailure.UNAVAILABLE, "could not record " + type + ": " + e.getMessage(), e);
          }
        }
      }
    }
  }

  private static void open(Order order) {
    if (order.terminal()) {
      throw closed(order);
    }
  }

  private static TaskFailure closed(Order order) {
    return new TaskFailure(
        TaskFailure.ORDER_CLOSED, "order " + order.id() + " is already " + order.status(), null);
  }

  /**
   * The reason an order failed, from a Catch's error output: the function's {@code errorMessage}
   * when the cause is Lambda's JSON, else the cause itself.
   */
  static String reason(JsonNode error) {
    String cause = error.path("Cause").asText(null);
    if (cause == null || cause.isBlank()) {
      return error.path("Error").asText("order failed");
    }
    try {
      JsonNode parsed = Json.parse(cause);
      if (parsed.hasNonNull("errorMessage")) {
        return parsed.get("errorMessage").asText();
      }
    } catch (RuntimeException notJson) {
      // a plain-text cause
    }
    return cause;
  }

  private static String requestId(TaskRequest request) {
    return UUID.nameUUIDFromBytes(request.idempotencyToken().getBytes(StandardCharsets.UTF_8))
        .toString();
  }
}
