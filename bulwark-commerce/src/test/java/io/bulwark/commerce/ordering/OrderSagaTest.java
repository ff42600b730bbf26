package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.testkit.PostgresExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The durable saga runner on its own, with scripted inventory and payment ports. */
class OrderSagaTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("ordering");

  static final UUID VIP = UUID.randomUUID();

  /** Ports that record calls and fail as scripted. */
  static final class Script implements Stock, Billing {
    final Set<UUID> reserved = ConcurrentHashMap.newKeySet();
    final Set<UUID> released = ConcurrentHashMap.newKeySet();
    final Set<UUID> refunded = ConcurrentHashMap.newKeySet();
    final List<UUID> reserveOrder = new CopyOnWriteArrayList<>();
    final AtomicInteger reserveFailures = new AtomicInteger();
    volatile boolean decline;

    @Override
    public String reserve(UUID orderId, Map<String, Integer> quantities) {
      if (reserveFailures.getAndDecrement() > 0) {
        throw new IllegalStateException("inventory database briefly unreachable");
      }
      reserveOrder.add(orderId);
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

  record Rig(OrderService orders, OrderSaga saga, Script script, List<DomainEvent> events) {}

  static Rig rig(int maxAttempts) {
    DataSource ds = pg.database().dataSource();
    Script script = new Script();
    OrderLog log = new OrderLog(Clock.systemUTC());
    EventBus bus = new EventBus();
    List<DomainEvent> events = new CopyOnWriteArrayList<>();
    bus.subscribe(events::add);
    OrderService orders =
        new OrderService(
            ds,
            log,
            id -> Optional.of(new Customers.Customer(id, "C", id.equals(VIP))),
            skus -> Map.of("S-1", new Catalog.Entry("S-1", "Thing", 250, "EUR")),
            Clock.systemUTC(),
            () -> {},
            bus);
    OrderSaga saga =
        new OrderSaga(
            ds,
            log,
            new OrderSagaTasks(script, script),
            1,
            maxAttempts,
            Duration.ofMillis(10),
            Duration.ofSeconds(30),
            Clock.systemUTC(),
            () -> {},
            bus);
    return new Rig(orders, saga, script, events);
  }

  static UUID place(Rig rig, UUID customer) {
    return rig.orders()
        .place(new PlaceOrder(customer, List.of(new PlaceOrder.Line("S-1", 1)), null))
        .order()
        .id();
  }

  static void drain(Rig rig) {
    while (rig.saga().runOne()) {
      // run every due step
    }
  }

  @Test
  void runsVipOrdersFirst() {
    Rig rig = rig(3);
    drain(rig);
    UUID regular = place(rig, UUID.randomUUID());
    UUID vip = place(rig, VIP);
    assertThat(rig.saga().runOne()).isTrue();
    assertThat(rig.script().reserveOrder).containsExactly(vip);
    drain(rig);
    assertThat(rig.orders().order(regular).orElseThrow().status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(rig.orders().order(vip).orElseThrow().status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(rig.events())
        .extracting(DomainEvent::type)
        .contains("OrderPlaced", "InventoryReserved", "PaymentCharged", "OrderConfirmed");
  }

  @Test
  void finishesAnOlderOrderBeforeStartingANewerOne() {
    Rig rig = rig(3);
    drain(rig);
    UUID first = place(rig, UUID.randomUUID());
    UUID second = place(rig, UUID.randomUUID());
    for (int step = 0; step < 3; step++) { // reserve, charge, confirm
      assertThat(rig.saga().runOne()).isTrue();
    }
    assertThat(rig.orders().order(first).orElseThrow().status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(rig.script().reserveOrder).containsExactly(first);
    drain(rig);
    assertThat(rig.orders().order(second).orElseThrow().status()).isEqualTo(OrderStatus.CONFIRMED);
  }

  @Test
  void retriesATransientFailureWithBackoffAndThenSucceeds() {
    Rig rig = rig(3);
    drain(rig);
    rig.script().reserveFailures.set(2);
    UUID id = place(rig, UUID.randomUUID());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              rig.saga().runOne();
              return rig.orders().order(id).orElseThrow().terminal();
            });
    assertThat(rig.orders().order(id).orElseThrow().status()).isEqualTo(OrderStatus.CONFIRMED);
  }

  @Test
  void compensatesWhenATransientFailureOutlastsItsAttempts() {
    Rig rig = rig(2);
    drain(rig);
    rig.script().reserveFailures.set(100);
    UUID id = place(rig, UUID.randomUUID());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              rig.saga().runOne();
              return rig.orders().order(id).orElseThrow().terminal();
            });
    Order order = rig.orders().order(id).orElseThrow();
    assertThat(order.status()).isEqualTo(OrderStatus.FAILED);
    assertThat(order.reason()).contains("inventory unavailable");
    assertThat(rig.script().released).contains(id);
    assertThat(rig.script().refunded).contains(id);
    rig.script().reserveFailures.set(0);
  }

  @Test
  void releasesStockWhenThePaymentIsDeclined() {
    Rig rig = rig(3);
    drain(rig);
    rig.script().decline = true;
    UUID id = place(rig, UUID.randomUUID());
    drain(rig);
    Order order = rig.orders().order(id).orElseThrow();
    assertThat(order.status()).isEqualTo(OrderStatus.FAILED);
    assertThat(order.reason()).isEqualTo("payment declined: card declined");
    assertThat(rig.script().released).contains(id);
    assertThat(rig.saga().unfinished()).isZero();
  }
}
