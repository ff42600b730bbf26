package io.bulwark.states.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Retry delays as the Retrier fields define them, read from the interpreter's decisions. */
class RetryBackoffTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Interpreter interpreter = new Interpreter(Clock.systemUTC());

  private static JsonNode machine(String retrier) throws Exception {
    return MAPPER.readTree(
        "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"r\","
            + "\"Retry\":["
            + retrier
            + "],\"End\":true}}}");
  }

  /** The delays of consecutive retries until the retrier gives up. */
  private List<Duration> delays(String retrier) throws Exception {
    JsonNode machine = machine(retrier);
    ObjectNode context = MAPPER.createObjectNode();
    List<Duration> delays = new ArrayList<>();
    RetryState retry = RetryState.initial();
    while (true) {
      Decision d =
          interpreter.taskFailed(
              machine, "T", MAPPER.createObjectNode(), context, new StatesError("E", "c"), retry);
      if (!(d instanceof Decision.Retry r)) {
        assertThat(d).isInstanceOf(Decision.Fail.class);
        return delays;
      }
      delays.add(r.delay());
      retry = r.retry();
    }
  }

  @Test
  void defaultsAreOneSecondDoublingThreeTimes() throws Exception {
    assertThat(delays("{\"ErrorEquals\":[\"States.ALL\"]}"))
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
  }

  @Test
  void backoffRateMultipliesTheIntervalAndMaxDelaySecondsCapsIt() throws Exception {
    assertThat(
            delays(
                "{\"ErrorEquals\":[\"E\"],\"IntervalSeconds\":2,\"BackoffRate\":3,"
                    + "\"MaxAttempts\":4,\"MaxDelaySeconds\":10}"))
        .containsExactly(
            Duration.ofSeconds(2),
            Duration.ofSeconds(6),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10));
  }

  @Test
  void maxAttemptsZeroNeverRetries() throws Exception {
    assertThat(delays("{\"ErrorEquals\":[\"E\"],\"MaxAttempts\":0}")).isEmpty();
  }

  @Test
  void fullJitterStaysBetweenZeroAndTheBackoffDelay() throws Exception {
    for (int run = 0; run < 50; run++) {
      List<Duration> d =
          delays(
              "{\"ErrorEquals\":[\"E\"],\"IntervalSeconds\":4,\"BackoffRate\":2,"
                  + "\"MaxAttempts\":3,\"JitterStrategy\":\"FULL\"}");
      assertThat(d).hasSize(3);
      assertThat(d.get(0)).isBetween(Duration.ZERO, Duration.ofSeconds(4));
      assertThat(d.get(1)).isBetween(Duration.ZERO, Duration.ofSeconds(8));
      assertThat(d.get(2)).isBetween(Duration.ZERO, Duration.ofSeconds(16));
    }
  }
}
