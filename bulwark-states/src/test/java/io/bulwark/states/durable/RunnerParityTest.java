package io.bulwark.states.durable;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.states.ExecutionResult;
import io.bulwark.states.StateMachine;
import io.bulwark.states.TaskHandler;
import io.bulwark.testkit.ManualClock;
import io.bulwark.testkit.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The in-memory runner ({@code bulwark states run}) and the durable engine run the same definition
 * to the same end: a handler's exception gets the same error name (so a Catch matches under both),
 * and time comes from the injected clock in both (so a Timestamp Wait ends at its timestamp).
 */
class RunnerParityTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("states");

  private static final Instant T0 = Instant.parse("2026-11-27T05:00:00Z");

  private static JsonNode json(String text) {
    return Json.parse(text.replace('\'', '"'));
  }

  /** Runs {@code definition} durably as machine {@code name} until nothing is due any more. */
  private static Execution runDurably(
      Engine engine, String name, String definition, JsonNode input) {
    engine.createStateMachine(name, definition);
    Execution started = engine.start(name, "run", input);
    while (engine.runOnce()) {
      // each call carries one piece of due work as far as it goes
    }
    return engine.describe(started.executionArn());
  }

  /** A task that throws, and one that hangs until it is interrupted. */
  private static final TaskHandler THROWING =
      (state, resource, input, attempt) -> {
        throw new IllegalStateException("out of stock");
      };

  private static final TaskHandler HANGING =
      (state, resource, input, attempt) -> {
        try {
          new CountDownLatch(1).await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return input;
      };

  static Stream<Arguments> taskFailures() {
    return Stream.of(
        Arguments.of("throws", "", THROWING, "java.lang.IllegalStateException", "out of stock"),
        Arguments.of(
            "throws within TimeoutSeconds",
            "'TimeoutSeconds':30,",
            THROWING,
            "java.lang.IllegalStateException",
            "out of stock"),
        Arguments.of(
            "misses its heartbeat",
            "'TimeoutSeconds':30,'HeartbeatSeconds':1,",
            HANGING,
            "States.HeartbeatTimeout",
            ""));
  }

  @ParameterizedTest(name = "a task that {0}")
  @MethodSource("taskFailures")
  void aFailedTaskHasTheSameErrorNameInMemoryAndDurably(
      String what, String limits, TaskHandler handler, String error, String cause) {
    String definition =
        ("{'StartAt':'Reserve','States':{'Reserve':{'Type':'Task','Resource':'reserve',"
                + limits
                + "'Catch':[{'ErrorEquals':['"
                + error
                + "'],'Next':'Caught'}],'End':true},'Caught':{'Type':'Pass','End':true}}}")
            .replace('\'', '"');

    ExecutionResult inMemory =
        StateMachine.of(definition, "reserve").run(json("{}"), handler, d -> {});
    Execution durable;
    try (Engine engine =
        Engine.builder(pg.database())
            .task("reserve", DurableTaskHandler.of(handler))
            .workers(0)
            .build()) {
      durable = runDurably(engine, "reserve" + Math.abs(what.hashCode()), definition, json("{}"));
    }

    JsonNode caught = Json.object().put("Error", error).put("Cause", cause);
    assertThat(inMemory.status()).isEqualTo("SUCCEEDED");
    assertThat(inMemory.output()).isEqualTo(caught);
    assertThat(durable.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(durable.output()).isEqualTo(caught);
  }

  @Test
  void aDurableTimestampWaitEndsAtItsTimestampOnTheInjectedClock() {
    ManualClock clock = new ManualClock(T0);
    String definition =
        ("{'StartAt':'Until','States':{"
                + "'Until':{'Type':'Wait','Timestamp':'2026-11-27T05:00:10Z','Next':'After'},"
                + "'After':{'Type':'Pass','Parameters':{'entered.$':'$$.State.EnteredTime'},"
                + "'End':true}}}")
            .replace('\'', '"');
    try (Engine engine = Engine.builder(pg.database()).clock(clock).workers(0).build()) {
      Execution waiting = runDurably(engine, "until", definition, json("{}"));
      assertThat(waiting.status()).isEqualTo(ExecutionStatus.RUNNING);

      clock.advance(Duration.ofSeconds(9));
      assertThat(engine.runOnce()).as("nothing due a second before the timestamp").isFalse();
      assertThat(engine.describe(waiting.executionArn()).status())
          .isEqualTo(ExecutionStatus.RUNNING);

      clock.advance(Duration.ofSeconds(1));
      assertThat(engine.runOnce()).as("the wait is due at its timestamp").isTrue();
      Execution done = engine.describe(waiting.executionArn());
      assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(done.output()).isEqualTo(json("{'entered':'2026-11-27T05:00:10Z'}"));
    }
  }

  @Test
  void anInMemoryTimestampWaitWaitsUntilItsTimestampOnTheInjectedClock() {
    ManualClock clock = new ManualClock(T0);
    String definition =
        ("{'StartAt':'Until','States':{"
                + "'Until':{'Type':'Wait','TimestampPath':'$.at','Next':'After'},"
                + "'After':{'Type':'Pass','Parameters':{'entered.$':'$$.State.EnteredTime',"
                + "'started.$':'$$.Execution.StartTime'},'End':true}}}")
            .replace('\'', '"');
    List<Duration> waits = new ArrayList<>();

    ExecutionResult r =
        StateMachine.of(definition, "until")
            .run(
                json("{'at':'2026-11-27T05:00:10Z'}"),
                (state, resource, input, attempt) -> input,
                waits::add,
                clock);

    assertThat(waits).containsExactly(Duration.ofSeconds(10));
    assertThat(r.output())
        .isEqualTo(json("{'entered':'2026-11-27T05:00:10Z','started':'2026-11-27T05:00:00Z'}"));
  }

  @Test
  void aSleeperThatLetsTheClockRunIsNotCountedTwiceAgainstTimeoutSeconds() {
    ManualClock clock = new ManualClock(T0);
    String definition =
        ("{'TimeoutSeconds':5,'StartAt':'W','States':{"
                + "'W':{'Type':'Wait','Seconds':4,'Next':'Done'},'Done':{'Type':'Succeed'}}}")
            .replace('\'', '"');

    ExecutionResult r =
        StateMachine.of(definition, "w")
            .run(json("{}"), (state, resource, input, attempt) -> input, clock::advance, clock);

    assertThat(r.status()).isEqualTo("SUCCEEDED");
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(4));
  }
}
