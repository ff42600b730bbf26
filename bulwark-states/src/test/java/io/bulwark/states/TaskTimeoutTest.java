package io.bulwark.states;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A Task that outlives its HeartbeatSeconds or TimeoutSeconds fails, and Catch can handle it; a
 * handler's own exception fails the task like a Lambda error.
 */
class TaskTimeoutTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static TaskHandler hanging() {
    CountDownLatch never = new CountDownLatch(1);
    return (state, resource, input, attempt) -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return MAPPER.createObjectNode();
    };
  }

  @Test
  void aMissedHeartbeatEndsTheTaskBeforeItsTimeoutAsStatesHeartbeatTimeoutAndIsCatchable()
      throws Exception {
    String def =
        """
        {"StartAt":"T","States":{
          "T":{"Type":"Task","Resource":"r","TimeoutSeconds":30,"HeartbeatSeconds":1,
               "Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"Next":"H"}],"End":true},
          "H":{"Type":"Pass","End":true}}}
        """;
    long start = System.nanoTime();
    ExecutionResult r = StateMachine.of(def, "m").run(MAPPER.readTree("{}"), hanging(), d -> {});
    assertThat(r.toJson().toString())
        .isEqualTo(
            "{\"status\":\"SUCCEEDED\",\"output\":{\"Error\":\"States.HeartbeatTimeout\","
                + "\"Cause\":\"\"}}");
    assertThat(System.nanoTime() - start).isBetween(900_000_000L, 10_000_000_000L);
  }

  @Test
  void timeoutSecondsFromAPathFailsTheExecutionWithStatesTimeout() throws Exception {
    String def =
        """
        {"StartAt":"T","States":{
          "T":{"Type":"Task","Resource":"r","TimeoutSecondsPath":"$.limit","End":true}}}
        """;
    ExecutionResult r =
        StateMachine.of(def, "m").run(MAPPER.readTree("{\"limit\":1}"), hanging(), d -> {});
    assertThat(r.status()).isEqualTo("FAILED");
    assertThat(r.error()).isEqualTo("States.Timeout");
  }

  @Test
  void aHandlerExceptionFailsTheTaskWithItsBinaryClassNameAndMessage() throws Exception {
    String def =
        "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"r\",\"End\":true}}}";
    TaskHandler failing =
        (state, resource, input, attempt) -> {
          throw new IllegalStateException("boom");
        };
    ExecutionResult r = StateMachine.of(def, "m").run(MAPPER.readTree("{}"), failing, d -> {});
    assertThat(r.error()).isEqualTo("java.lang.IllegalStateException");
    assertThat(r.cause()).isEqualTo("boom");
  }
}
