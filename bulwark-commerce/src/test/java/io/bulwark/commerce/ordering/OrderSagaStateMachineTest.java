package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.commerce.inventory.Inventory;
import io.bulwark.commerce.inventory.Line;
import io.bulwark.commerce.inventory.Product;
import io.bulwark.commerce.inventory.Reservation;
import io.bulwark.commerce.payment.PaymentGateway;
import io.bulwark.commerce.payment.Payments;
import io.bulwark.commerce.payment.http.HttpPaymentGateway;
import io.bulwark.commerce.payment.simulator.PaymentSimulator;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.kernel.Json;
import io.bulwark.states.ExecutionResult;
import io.bulwark.states.StateMachine;
import io.bulwark.states.StatesError;
import io.bulwark.states.TaskHandler;
import io.bulwark.testkit.PostgresExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The saga's task functions driven by the States Language engine running the seed's definition
 * verbatim ({@code order-saga.asl.json} from bulwark-states) instead of the durable runner.
 */
class OrderSagaStateMachineTest {

  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.migrating("identity", "inventory", "ordering", "payment");

  static PaymentSimulator approving;
  static PaymentSimulator declining;
  static Inventory inventory;
  static OrderService orders;
  static StateMachine machine;

  @BeforeAll
  static void setUp() throws IOException {
    approving = PaymentSimulator.start(SimulatorOptions.defaults());
    declining = PaymentSimulator.start(SimulatorOptions.defaults().withRates(0, 1.0, 0));
    DataSource ds = pg.database().dataSource();
    inventory = new Inventory(ds, new EventBus(), Duration.ofMinutes(5), Clock.systemUTC());
    inventory.create(new Product("ASL-1", "State machine poster", 1500, "EUR", 0), 3);
    orders =
        new OrderService(
            ds,
            new OrderLog(Clock.systemUTC()),
            id -> Optional.of(new Customers.Customer(id, "Ada", false)),
            skus ->
                Map.of("ASL-1", new Catalog.Entry("ASL-1", "State machine poster", 1500, "EUR")),
            Clock.systemUTC(),
            () -> {},
            new EventBus());
    try (InputStream in =
        StateMachine.class.getResourceAsStream("/io/bulwark/states/order-saga.asl.json")) {
      machine =
          StateMachine.of(new String(in.readAllBytes(), StandardCharsets.UTF_8), "order-saga");
    }
  }

  @AfterAll
  static void tearDown() {
    approving.close();
    declining.close();
  }

  static OrderSagaTasks tasks(PaymentSimulator gateway) {
    Payments payments =
        new Payments(
            pg.database().dataSource(),
            new HttpPaymentGateway(
                URI.create("http://127.0.0.1:" + gateway.port()), Duration.ofSeconds(2), 2),
            Clock.systemUTC());
    Stock stock =
        new Stock() {
          @Override
          public String reserve(UUID orderId, Map<String, Integer> quantities) {
            List<Line> lines = new ArrayList<>();
            quantities.forEach((sku, q) -> lines.add(new Line(sku, q)));
            return inventory.reserve(orderId, lines) instanceof Reservation.Held
                ? null
                : "insufficient stock";
          }

          @Override
          public boolean commit(UUID orderId) {
            return inventory.commit(orderId);
          }

          @Override
          public void release(UUID orderId) {
            inventory.release(orderId);
          }
        };
    Billing billing =
        new Billing() {
          @Override
          public String charge(UUID orderId, UUID customerId, long amount, String currency) {
            return switch (payments.charge(orderId, customerId, amount, currency)) {
              case PaymentGateway.ChargeOutcome.Approved a -> a.chargeId();
              case PaymentGateway.ChargeOutcome.Declined d ->
                  throw new Billing.Declined(d.reason());
            };
          }

          @Override
          public void refund(UUID orderId) {
            payments.refund(orderId);
          }
        };
    return new OrderSagaTasks(stock, billing);
  }

  /** One execution per order: the handler knows its order even after a Catch replaced the input. */
  static ExecutionResult run(UUID orderId, OrderSagaTasks tasks) {
    JsonNode input = Json.parse("{\"orderId\":\"" + orderId + "\"}");
    TaskHandler handler =
        (state, resource, in, attempt) -> {
          JsonNode payload = in.has("Payload") ? in.get("Payload") : in;
          JsonNode base = payload.has("orderId") ? payload : input;
          try {
            return tasks.invoke(state, base, id -> orders.order(id).orElseThrow());
          } catch (TaskFailure f) {
            throw new StatesError(f.type(), f.causeText());
          }
        };
    return machine.run(input, handler, d -> {});
  }

  static UUID place(int quantity) {
    return orders
        .place(
            new PlaceOrder(
                UUID.randomUUID(), List.of(new PlaceOrder.Line("ASL-1", quantity)), null))
        .order()
        .id();
  }

  @Test
  void succeedsWhenStockAndPaymentAreThere() {
    UUID id = place(1);
    ExecutionResult r = run(id, tasks(approving));
    assertThat(r.status()).isEqualTo("SUCCEEDED");
    assertThat(r.output().path("chargeId").asText()).startsWith("ch_");
    assertThat(inventory.reservationStatus(id)).contains("COMMITTED");
  }

  @Test
  void failsThroughHandleInventoryFailureWhenStockIsShort() {
    UUID id = place(50);
    ExecutionResult r = run(id, tasks(approving));
    assertThat(r.status()).isEqualTo("FAILED");
    assertThat(r.error()).isEqualTo("OrderProcessingFailed");
    assertThat(inventory.reservationStatus(id)).contains("RELEASED");
  }

  @Test
  void compensatesInventoryWhenThePaymentIsDeclined() {
    int before = inventory.stock("ASL-1").orElseThrow().available();
    UUID id = place(1);
    ExecutionResult r = run(id, tasks(declining));
    assertThat(r.status()).isEqualTo("FAILED");
    assertThat(r.error()).isEqualTo("OrderProcessingFailed");
    assertThat(inventory.reservationStatus(id)).contains("RELEASED");
    assertThat(inventory.stock("ASL-1").orElseThrow().available()).isEqualTo(before);
  }
}
