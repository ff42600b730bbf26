package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.commerce.ordering.jdbc.EventStoreOrderLog;
import io.bulwark.commerce.ordering.jdbc.JdbcEngineTransactions;
import io.bulwark.commerce.ordering.jdbc.JdbcIdempotencyKeys;
import io.bulwark.commerce.ordering.jdbc.JdbcOrderSagaStore;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.HistoryEvent;
import io.bulwark.testkit.FastClock;
import io.bulwark.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The order saga on the durable engine, from the seed's definition, with scripted inventory and
 * payment ports. The engine has no worker threads: each test steps it with {@link Engine#runOnce()}
 * on a clock running 50 times faster, so the definition's retry back-off (2 s, 4 s, 8 s) is really
 * waited for, in well under a second.
 */
class OrderSagaTest {

  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.migrating("eventstore", "ordering", "states");

  static final UUID VIP = UUID.randomUUID();

  /** Ports that record calls and fail as scripted. */
  static final class Script implements Stock, Billing {
    final Set<UUID> reserved = ConcurrentHashMap.newKeySet();
    final Set<UUID> released = ConcurrentHashMap.newKeySet();
    final Set<UUID> refunded = ConcurrentHashMap.newKeySet();
    final List<UUID> reserveOrder = new CopyOnWriteArrayList<>();
    final AtomicInteger reserveFailures = new AtomicInteger();
    volatile boolean decline;
    volatile boolean outOfStock;
    volatile boolean paymentDown;

    void reset() {
      reserved.clear();
      released.clear();
      refunded.clear();
      reserveOrder.clear();
      reserveFailures.set(0);
      decline = false;
      outOfStock = false;
      paymentDown = false;
    }

    @Override
    public String reserve(UUID orderId, Map<String, Integer> quantities) {
      if (reserveFailures.getAndDecrement() > 0) {
        throw new IllegalStateException("inventory database briefly unreachable");
      }
      reserveOrder.add(orderId);
      if (outOfStock) {
        return "insufficient stock: S-1 requested 1, available 0";
      }
      reserved.add(orderId);
      return null;
    }

    @Override
    public boolean commit(UUID orderId) {
      return reserved.contains(orderId) && !released.contains(orderId);
    }

    @Override
    public void release(UUID orderId) {
      released.add(orderId);
    }

    @Override
    public String charge(UUID orderId, UUID customerId, long amount, String currency) {
      if (paymentDown) {
        throw new IllegalStateException("gateway timed out");
      }
      if (decline) {
        throw new Billing.Declined("card declined");
      }
      return "ch_" + orderId;
    }

    @Override
    public void refund(UUID orderId) {
      refunded.add(orderId);
    }
  }

  static final Script script = new Script();
  static final List<DomainEvent> events = new CopyOnWriteArrayList<>();
  static PostgresTransactions tx;
  static OrderLog log;
  static OrderSaga saga;
  static Engine engine;
  static OrderService orders;

  @BeforeAll
  static void setUp() {
    tx = PostgresTransactions.of(pg.database().dataSource());
    log = new EventStoreOrderLog(tx, Clock.systemUTC());
    EventBus bus = new EventBus();
    bus.subscribe(events::add);
    EngineTransactions engineTransactions = new JdbcEngineTransactions(tx);
    saga = new OrderSaga(new JdbcOrderSagaStore(tx), log, tx, engineTransactions, bus);
    engine =
        saga.bind(
                Engine.builder(pg.database()).clock(new FastClock(50)).workers(0),
                new OrderSagaFunctions(
                    log, tx, engineTransactions, new OrderSagaTasks(script, script), bus, () -> {}))
            .build();
    saga.attach(engine);
    orders = service(saga);
  }

  static OrderService service(OrderService.SagaStarter starter) {
    return new OrderService(
        new JdbcIdempotencyKeys(tx),
        log,
        tx,
        id -> Optional.of(new Customers.Customer(id, "C", id.equals(VIP))),
        skus -> Map.of("S-1", new Catalog.Entry("S-1", "Thing", 250, "EUR")),
        Clock.systemUTC(),
        starter,
        () -> {},
        new EventBus(),
        OrderIntake.unbounded());
  }

  @BeforeEach
  void clean() {
    drain();
    script.reset();
    events.clear();
  }

  static UUID place(UUID customer) {
    return place(orders, customer);
  }

  static UUID place(OrderService service, UUID customer) {
    return service
        .place(new PlaceOrder(customer, List.of(new PlaceOrder.Line("S-1", 1)), null))
        .order()
        .id();
  }

  static void drain() {
    while (engine.runOnce()) {
      // run every due step
    }
  }

  /** Steps the engine until the order ends (waiting out retry back-offs on the fast clock). */
  static Order finish(UUID id) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () -> {
              drain();
              return orders.order(id).orElseThrow().terminal() && saga.unfinished() == 0;
            });
    return orders.order(id).orElseThrow();
  }

  static Execution execution(String machine, UUID id) {
    return engine.describe(Engine.executionArn(machine, id.toString()));
  }

  static List<String> entered(String machine, UUID id) {
    return engine.history(Engine.executionArn(machine, id.toString())).stream()
        .filter(e -> e.type().equals("TaskStateEntered"))
        .map(e -> e.details().path("stateEnteredEventDetails").path("name").asText())
        .toList();
  }

  static long count(String machine, UUID id, String type) {
    return engine.history(Engine.executionArn(machine, id.toString())).stream()
        .map(HistoryEvent::type)
        .filter(type::equals)
        .count();
  }

  @Test
  void confirmsAnOrderThroughTheSeedsStatesWithEveryStepInTheHistory() {
    UUID id = place(UUID.randomUUID());
    Order order = finish(id);
    assertThat(order.status()).isEqualTo(OrderStatus.CONFIRMED);
    Execution e = execution(OrderSaga.MACHINE, id);
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.output().path("Payload").path("orderId").asText()).isEqualTo(id.toString());
    assertThat(e.output().path("StatusCode").asInt()).isEqualTo(200);
    assertThat(entered(OrderSaga.MACHINE, id))
        .containsExactly("ReserveInventory", "ProcessPayment", "ConfirmOrder");
    assertThat(events)
        .extracting(DomainEvent::type)
        .containsExactly("InventoryReserved", "PaymentCharged", "OrderConfirmed");
  }

  @Test
  void runsVipOrdersFirst() {
    UUID regular = place(UUID.randomUUID());
    UUID vip = place(VIP);
    assertThat(engine.runOnce()).isTrue(); // one claim steps the VIP's saga as far as it goes
    assertThat(script.reserveOrder).containsExactly(vip);
    assertThat(orders.order(vip).orElseThrow().status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(orders.order(regular).orElseThrow().status()).isEqualTo(OrderStatus.PENDING);
    assertThat(finish(regular).status()).isEqualTo(OrderStatus.CONFIRMED);
  }

  @Test
  void finishesAnOlderOrderBeforeStartingANewerOne() {
    UUID first = place(UUID.randomUUID());
    UUID second = place(UUID.randomUUID());
    assertThat(engine.runOnce()).isTrue();
    assertThat(orders.order(first).orElseThrow().status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(script.reserveOrder).containsExactly(first);
    assertThat(finish(second).status()).isEqualTo(OrderStatus.CONFIRMED);
  }

  @Test
  void retriesATransientInventoryFailureAsTheDefinitionSaysAndThenConfirms() {
    script.reserveFailures.set(2);
    UUID id = place(UUID.randomUUID());
    assertThat(finish(id).status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(count(OrderSaga.MACHINE, id, "TaskFailed")).isEqualTo(2);
    assertThat(script.released).doesNotContain(id);
  }

  @Test
  void compensatesWhenATransientFailureOutlastsTheRetries() {
    script.reserveFailures.set(100);
    UUID id = place(UUID.randomUUID());
    Order order = finish(id);
    assertThat(order.status()).isEqualTo(OrderStatus.FAILED);
    assertThat(order.reason()).startsWith("inventory unavailable");
    // MaxAttempts 3: the first attempt and three retries
    assertThat(count(OrderSaga.MACHINE, id, "TaskFailed")).isEqualTo(4);
    Execution failed = execution(OrderSaga.MACHINE, id);
    assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(failed.error()).isEqualTo(TaskFailure.UNAVAILABLE);
    assertThat(execution(OrderSaga.COMPENSATION, id).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(script.released).contains(id);
    assertThat(script.refunded).contains(id);
  }

  @Test
  void retriesInsufficientStockThenHandlesTheInventoryFailure() {
    script.outOfStock = true;
    UUID id = place(UUID.randomUUID());
    Order order = finish(id);
    assertThat(order.status()).isEqualTo(OrderStatus.FAILED);
    assertThat(order.reason()).isEqualTo("insufficient stock: S-1 requested 1, available 0");
    // States.TaskFailed matches every error a task raises, so the seed's Retry runs first
    assertThat(script.reserveOrder).hasSize(4);
    assertThat(entered(OrderSaga.MACHINE, id))
        .containsExactly("ReserveInventory", "HandleInventoryFailure");
    Execution e = execution(OrderSaga.MACHINE, id);
    assertThat(e.error()).isEqualTo("OrderProcessingFailed");
    assertThat(script.released).contains(id);
    assertThat(script.refunded).doesNotContain(id);
  }

  @Test
  void compensatesInventoryWhenThePaymentIsDeclined() {
    script.decline = true;
    UUID id = place(UUID.randomUUID());
    Order order = finish(id);
    assertThat(order.status()).isEqualTo(OrderStatus.FAILED);
    assertThat(order.reason()).isEqualTo("payment declined: card declined");
    assertThat(entered(OrderSaga.MACHINE, id))
        .containsExactly("ReserveInventory", "ProcessPayment", "CompensateInventory");
    assertThat(execution(OrderSaga.MACHINE, id).error()).isEqualTo("OrderProcessingFailed");
    assertThat(script.released).contains(id);
    assertThat(saga.unfinished()).isZero();
  }

  @Test
  void compensatesAPaymentFailureTheDefinitionDoesNotCatch() {
    script.paymentDown = true;
    UUID id = place(UUID.randomUUID());
    Order order = finish(id);
    assertThat(order.status()).isEqualTo(OrderStatus.FAILED);
    assertThat(order.reason()).startsWith("payment unavailable");
    assertThat(execution(OrderSaga.MACHINE, id).error()).isEqualTo(TaskFailure.UNAVAILABLE);
    assertThat(execution(OrderSaga.COMPENSATION, id).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(script.released).contains(id);
    assertThat(script.refunded).contains(id);
  }

  @Test
  void anOperatorStoppingASagaCompensatesTheOrder() {
    UUID id = place(UUID.randomUUID());
    engine.stop(OrderSaga.executionArn(id), "Operator", "customer called to cancel");
    Order order = finish(id);
    assertThat(order.status()).isEqualTo(OrderStatus.FAILED);
    assertThat(order.reason()).isEqualTo("customer called to cancel");
    assertThat(script.reserveOrder).doesNotContain(id);
  }

  @Test
  void takesOverSagasLeftByTheEarlierRunner() throws SQLException {
    AtomicInteger placed = new AtomicInteger();
    OrderService legacy =
        service(
            (orderId, vip) ->
                tx.inTransaction(
                    c -> {
                      try (PreparedStatement ps =
                          c.prepareStatement(
                              "insert into ordering_sagas (order_id, state, priority, next_attempt_at,"
                                  + " created_at, updated_at, error_type, error_cause) values"
                                  + " (?, ?, 0, ?, ?, ?, ?, ?)")) {
                        Timestamp now = Timestamp.from(Instant.now());
                        boolean compensate = placed.getAndIncrement() == 1; // the second one
                        ps.setObject(1, orderId);
                        ps.setString(
                            2,
                            compensate
                                ? OrderSagaTasks.COMPENSATE_INVENTORY
                                : OrderSagaTasks.PROCESS_PAYMENT);
                        ps.setTimestamp(3, now);
                        ps.setTimestamp(4, now);
                        ps.setTimestamp(5, now);
                        ps.setString(6, compensate ? TaskFailure.PAYMENT_FAILED : null);
                        ps.setString(7, compensate ? "payment declined: card expired" : null);
                        return ps.executeUpdate();
                      }
                    }));
    List<UUID> ids = List.of(place(legacy, UUID.randomUUID()), place(legacy, UUID.randomUUID()));
    assertThat(saga.unfinished()).isZero();

    saga.attach(engine); // what a restart with the new version does

    assertThat(finish(ids.get(0)).status()).isEqualTo(OrderStatus.CONFIRMED);
    Order compensated = finish(ids.get(1));
    assertThat(compensated.status()).isEqualTo(OrderStatus.FAILED);
    assertThat(compensated.reason()).isEqualTo("payment declined: card expired");
    assertThat(script.refunded).contains(ids.get(1));
    try (Connection c = pg.database().dataSource().getConnection();
        var rs =
            c.createStatement()
                .executeQuery("select count(*) from ordering_sagas where state <> 'Done'")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
  }
}
