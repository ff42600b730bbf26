package io.bulwark.states.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterpreterStepTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Interpreter interpreter = new Interpreter(Clock.systemUTC());

  private static JsonNode json(String s) throws Exception {
    return MAPPER.readTree(s.replace('\'', '"'));
  }

  private static ObjectNode context(String state) throws Exception {
    return ContextObject.enterState(
        ContextObject.execution("id", "name", json("{}"), Instant.EPOCH, "M"),
        state,
        Instant.EPOCH);
  }

  @Test
  void taskStepAsksTheCallerToInvokeTheResourceWithTheEffectiveInput() throws Exception {
    JsonNode machine =
        json(
            "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'r',"
                + "'Parameters':{'x.$':'$.a'},'End':true}}}");
    Decision d =
        interpreter.step(machine, "T", json("{'a':1}"), context("T"), RetryState.initial());
    assertThat(d).isEqualTo(new Decision.InvokeTask("r", json("{'x':1}"), RetryState.initial()));
    Decision done =
        interpreter.taskSucceeded(
            machine, "T", json("{'a':1}"), context("T"), json("{'ok':true}"), RetryState.initial());
    assertThat(done).isEqualTo(new Decision.Succeed(json("{'ok':true}")));
  }

  @Test
  void failedTaskIsRetriedWithBackoffCappedByMaxDelayThenCaught() throws Exception {
    JsonNode machine =
        json(
            "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'r','Retry':[{'ErrorEquals':"
                + "['Boom'],'IntervalSeconds':2,'BackoffRate':3,'MaxAttempts':3,'MaxDelaySeconds':10}],"
                + "'Catch':[{'ErrorEquals':['States.ALL'],'Next':'F','ResultPath':'$.err'}],"
                + "'End':true},'F':{'Type':'Succeed'}}}");
    RetryState retry = RetryState.initial();
    StatesError boom = new StatesError("Boom", "bad");
    Duration[] expected = {Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofSeconds(10)};
    for (Duration delay : expected) {
      Decision d = interpreter.taskFailed(machine, "T", json("{}"), boom, retry);
      assertThat(d).isInstanceOf(Decision.Retry.class);
      Decision.Retry r = (Decision.Retry) d;
      assertThat(r.delay()).isEqualTo(delay);
      retry = r.retry();
    }
    assertThat(retry).isEqualTo(new RetryState(3, List.of(3)));
    assertThat(RetryState.fromJson(retry.toJson())).isEqualTo(retry);
    assertThat(interpreter.taskFailed(machine, "T", json("{}"), boom, retry))
        .isEqualTo(new Decision.Next("F", json("{'err':{'Error':'Boom','Cause':'bad'}}")));
  }

  @Test
  void waitStepReturnsTheDurationInsteadOfSleeping() throws Exception {
    JsonNode machine =
        json(
            "{'StartAt':'W','States':{'W':{'Type':'Wait','Seconds':5,'Next':'X'},"
                + "'X':{'Type':'Succeed'}}}");
    assertThat(interpreter.step(machine, "W", json("{'a':1}"), context("W"), RetryState.initial()))
        .isEqualTo(
            new Decision.Wait(Duration.ofSeconds(5), new Decision.Next("X", json("{'a':1}"))));
  }

  @Test
  void parallelStepReturnsItsBranchesAndCombinesTheirOutcomesInOrder() throws Exception {
    JsonNode machine =
        json(
            "{'StartAt':'P','States':{'P':{'Type':'Parallel','End':true,'Branches':["
                + "{'StartAt':'A','States':{'A':{'Type':'Pass','End':true}}},"
                + "{'StartAt':'B','States':{'B':{'Type':'Pass','End':true}}}]}}}");
    Decision d =
        interpreter.step(machine, "P", json("{'a':1}"), context("P"), RetryState.initial());
    assertThat(((Decision.RunBranches) d).branches()).hasSize(2);
    List<Decision.BranchOutcome> outcomes =
        List.of(
            new Decision.BranchOutcome.Succeeded(json("1")),
            new Decision.BranchOutcome.Succeeded(json("2")));
    assertThat(
            interpreter.branchesCompleted(
                machine, "P", json("{'a':1}"), context("P"), outcomes, RetryState.initial()))
        .isEqualTo(new Decision.Succeed(json("[1,2]")));
    assertThat(
            interpreter.branchesSettled(
                machine, "P", List.of(new Decision.BranchOutcome.Failed("E", "c")), 2))
        .isTrue();
  }
}
