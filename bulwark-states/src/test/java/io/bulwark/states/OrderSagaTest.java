package io.bulwark.states;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrderSagaTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final List<String> visited = new ArrayList<>();
  private final List<Duration> waits = new ArrayList<>();

  private static StateMachine saga() throws IOException {
    try (InputStream in = OrderSagaTest.class.getResourceAsStream("order-saga.asl.json")) {
      return StateMachine.of(new String(in.readAllBytes(), StandardCharsets.UTF_8), "OrderSaga");
    }
  }

  private ExecutionResult run(Map<String, String> failures, int reserveTransientFailures)
      throws IOException {
    TaskHandler tasks =
        (state, resource, input, attempt) -> {
          visited.add(state);
          if (state.equals("ReserveInventory") && attempt < reserveTransientFailures) {
            throw new StatesError("Lambda.ServiceException", "transient");
          }
          if (failures.containsKey(state)) {
            throw new StatesError(failures.get(state), state + " failed");
          }
          return MAPPER.createObjectNode().put("step", state);
        };
    return saga().run(MAPPER.readTree("{\"orderId\":\"o-1\"}"), tasks, waits::add);
  }

  @Test
  void confirmsTheOrderOnTheHappyPath() throws IOException {
    ExecutionResult r = run(Map.of(), 0);
    assertThat(r.status()).isEqualTo("SUCCEEDED");
    assertThat(r.output()).isEqualTo(MAPPER.createObjectNode().put("step", "ConfirmOrder"));
    assertThat(visited).containsExactly("ReserveInventory", "ProcessPayment", "ConfirmOrder");
  }

  @Test
  void retriesReservationWithExponentialBackoff() throws IOException {
    ExecutionResult r = run(Map.of(), 3);
    assertThat(r.status()).isEqualTo("SUCCEEDED");
    assertThat(waits)
        .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));
  }

  @Test
  void failsAfterRetriesAreExhausted() throws IOException {
    ExecutionResult r = run(Map.of(), 4);
    assertThat(r.error()).isEqualTo("Lambda.ServiceException");
    assertThat(waits).hasSize(3);
  }

  @Test
  void handlesInsufficientStockAfterRetriesThenFailsTheOrder() throws IOException {
    ExecutionResult r = run(Map.of("ReserveInventory", "InsufficientStockError"), 0);
    assertThat(r.toJson().toString())
        .isEqualTo(
            "{\"status\":\"FAILED\",\"error\":\"OrderProcessingFailed\",\"cause\":\"Failed to"
                + " process order due to inventory or payment issues\"}");
    // States.TaskFailed matches every task error but States.Timeout, so the Retry runs first.
    assertThat(visited)
        .containsExactly(
            "ReserveInventory",
            "ReserveInventory",
            "ReserveInventory",
            "ReserveInventory",
            "HandleInventoryFailure");
  }

  @Test
  void compensatesInventoryWhenPaymentFails() throws IOException {
    ExecutionResult r = run(Map.of("ProcessPayment", "PaymentFailedError"), 0);
    assertThat(r.error()).isEqualTo("OrderProcessingFailed");
    assertThat(visited)
        .containsExactly("ReserveInventory", "ProcessPayment", "CompensateInventory");
  }
}
