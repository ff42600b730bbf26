package io.bulwark.states.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.bulwark.kernel.Json;
import io.bulwark.states.StatesError;
import io.bulwark.testkit.PostgresExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DurableEngineTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("states");

  private static final List<TaskRequest> calls = new CopyOnWriteArrayList<>();
  private static final Map<String, Integer> flaky = new ConcurrentHashMap<>();
  private static final AtomicBoolean broken = new AtomicBoolean(true);
  private static final List<String> tokens = new CopyOnWriteArrayList<>();
  private static final java.util.concurrent.atomic.AtomicInteger inFlight =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final java.util.concurrent.atomic.AtomicInteger peak =
      new java.util.concurrent.atomic.AtomicInteger();
  private static Engine engine;
  private static HttpServer http;

  @BeforeAll
  static void start() throws IOException {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext(
        "/ok",
        ex -> {
          byte[] in;
          try (InputStream body = ex.getRequestBody()) {
            in = body.readAllBytes();
          }
          String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
          byte[] out =
              ("{\"echo\":" + new String(in, StandardCharsets.UTF_8) + ",\"key\":\"" + key + "\"}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, out.length);
          try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
          }
        });
    http.createContext(
        "/down",
        ex -> {
          ex.sendResponseHeaders(503, -1);
          ex.close();
        });
    http.start();
    engine =
        Engine.builder(pg.database())
            .task(
                "echo",
                r -> {
                  calls.add(r);
                  return r.input();
                })
            .task(
                "flaky",
                r -> {
                  calls.add(r);
                  int failures = flaky.merge(r.executionArn(), 1, Integer::sum);
                  if (failures <= 2) {
                    throw new StatesError("Transient", "attempt " + r.attempt());
                  }
                  return Json.parse("{\"ok\":true}");
                })
            .task(
                "fragile",
                r -> {
                  if (broken.get()) {
                    throw new IllegalStateException("still broken");
                  }
                  return Json.parse("\"fixed\"");
                })
            .task(
                "count",
                r -> {
                  peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                  try {
                    Thread.sleep(100); // long enough for iterations to overlap
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  inFlight.decrementAndGet();
                  return r.input();
                })
            .task(
                "slow",
                r -> {
                  try {
                    Thread.sleep(5_000); // a task slower than its TimeoutSeconds
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return r.input();
                })
            .task(
                "callback",
                r -> {
                  tokens.add(r.taskToken());
                  return null;
                })
            .httpTaskHosts(List.of("127.0.0.1"))
            .pollInterval(Duration.ofMillis(20))
            .workers(6)
            .build()
            .startWorkers();
  }

  @AfterAll
  static void stop() {
    engine.close();
    http.stop(0);
  }

  private static Execution awaitEnd(Execution e) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> engine.describe(e.executionArn()).status() != ExecutionStatus.RUNNING);
    return engine.describe(e.executionArn());
  }

  private static String def(String states) {
    return states.replace('\'', '"');
  }

  @Test
  void limitsHistoriesToStepFunctionsQuotaByDefaultAndRefusesATinyLimit() {
    assertThat(Engine.DEFAULT_HISTORY_LIMIT).isEqualTo(25_000);
    assertThatThrownBy(() -> Engine.builder(pg.database()).historyLimit(9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("historyLimit must be >= 10 but was 9");
  }

  @Test
  void recordsAHistoryShapedLikeGetExecutionHistory() {
    engine.createStateMachine(
        "history",
        def(
            "{'StartAt':'A','States':{'A':{'Type':'Task','Resource':'echo','Next':'B'},"
                + "'B':{'Type':'Pass','Result':{'done':true},'End':true}}}"));
    Execution e = awaitEnd(engine.start("history", "h1", Json.parse("{\"x\":1}")));
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.output()).isEqualTo(Json.parse("{\"done\":true}"));
    List<HistoryEvent> events = engine.history(e.executionArn());
    assertThat(events)
        .extracting(HistoryEvent::type)
        .containsExactly(
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded");
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).id()).isEqualTo(i + 1);
      assertThat(events.get(i).previousEventId()).isEqualTo(i);
    }
    JsonNode entered = events.get(1).toJson();
    assertThat(entered.at("/stateEnteredEventDetails/name").asText()).isEqualTo("A");
    assertThat(entered.at("/stateEnteredEventDetails/input").asText()).isEqualTo("{\"x\":1}");
    assertThat(events.get(2).toJson().at("/taskScheduledEventDetails/resource").asText())
        .isEqualTo("echo");
  }

  @Test
  void retriesOnDurableTimersWithOneIdempotencyTokenPerAttempt() {
    engine.createStateMachine(
        "retrying",
        def(
            "{'StartAt':'F','States':{'F':{'Type':'Task','Resource':'flaky','End':true,"
                + "'Retry':[{'ErrorEquals':['Transient'],'IntervalSeconds':1,'BackoffRate':1.0,"
                + "'MaxAttempts':3}]}}}"));
    Execution e = awaitEnd(engine.start("retrying", "r1", Json.object()));
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    List<TaskRequest> mine =
        calls.stream().filter(c -> c.executionArn().equals(e.executionArn())).toList();
    assertThat(mine).extracting(TaskRequest::attempt).containsExactly(0, 1, 2);
    assertThat(mine.stream().map(TaskRequest::idempotencyToken).distinct()).hasSize(3);
    assertThat(engine.history(e.executionArn()))
        .extracting(HistoryEvent::type)
        .filteredOn(t -> t.startsWith("Task") && !t.startsWith("TaskState"))
        .containsExactly(
            "TaskScheduled",
            "TaskStarted",
            "TaskFailed",
            "TaskScheduled",
            "TaskStarted",
            "TaskFailed",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded");
  }

  @Test
  void waitStateIsADurableTimer() {
    engine.createStateMachine(
        "waiting",
        def(
            "{'StartAt':'W','States':{'W':{'Type':'Wait','Seconds':1,'Next':'D'},"
                + "'D':{'Type':'Succeed'}}}"));
    Execution started = engine.start("waiting", "w1", Json.parse("{\"a\":1}"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> countWork(started.executionArn(), "AFTER_WAIT") == 1);
    Execution e = awaitEnd(started);
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(Duration.between(e.startDate(), e.stopDate()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(engine.history(e.executionArn()))
        .extracting(HistoryEvent::type)
        .contains("WaitStateEntered", "WaitStateExited", "SucceedStateEntered");
  }

  @Test
  void runsStatesThatCallNothingOutsideInOneTransactionWithTheSameHistory() {
    // 17 Pass states, a Choice, a Wait of 0 seconds and a Succeed: nothing calls out, so the
    // claim's transaction carries out all 20 states, each still recording its own events
    StringBuilder states = new StringBuilder();
    List<String> expected = new java.util.ArrayList<>(List.of("ExecutionStarted"));
    for (int i = 0; i < 17; i++) {
      states.append(
          "'S%d':{'Type':'Pass','ResultPath':'$.s%d','Result':%d,'Next':'S%d'},"
              .formatted(i, i % 3, i, i + 1));
      expected.addAll(List.of("PassStateEntered", "PassStateExited"));
    }
    states.append(
        "'S17':{'Type':'Choice','Choices':[{'Variable':'$.s0','NumericEquals':15,'Next':'S18'}],"
            + "'Default':'Bad'},'S18':{'Type':'Wait','Seconds':0,'Next':'S19'},"
            + "'S19':{'Type':'Succeed'},'Bad':{'Type':'Fail','Error':'Wrong'}");
    expected.addAll(
        List.of(
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "WaitStateEntered",
            "WaitStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded"));
    engine.createStateMachine("batched", def("{'StartAt':'S0','States':{" + states + "}}"));
    Execution e = awaitEnd(engine.start("batched", "b1", Json.parse("{\"order\":1}")));
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.output()).isEqualTo(Json.parse("{\"order\":1,\"s0\":15,\"s1\":16,\"s2\":14}"));
    List<HistoryEvent> history = engine.history(e.executionArn());
    assertThat(history).extracting(HistoryEvent::type).containsExactlyElementsOf(expected);
    assertThat(history).extracting(HistoryEvent::id).isSorted().doesNotHaveDuplicates();
    // the start's transaction, then one for all 20 states (before: one per state, 21 in all)
    assertThat(historyTransactions(e.executionArn())).isEqualTo(2);
  }

  @Test
  void boundsTheStatesOfOneTransaction() {
    // a chain longer than one transaction carries out (its first state and 32 more) commits
    // every 33 states: 70 states take three step transactions after the start's
    StringBuilder states = new StringBuilder();
    for (int i = 0; i < 69; i++) {
      states.append("'S%d':{'Type':'Pass','Next':'S%d'},".formatted(i, i + 1));
    }
    states.append("'S69':{'Type':'Pass','End':true}");
    engine.createStateMachine("chain70", def("{'StartAt':'S0','States':{" + states + "}}"));
    Execution e = awaitEnd(engine.start("chain70", "c1", Json.parse("{\"n\":1}")));
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.output()).isEqualTo(Json.parse("{\"n\":1}"));
    assertThat(engine.history(e.executionArn())).hasSize(1 + 70 * 2 + 1);
    assertThat(historyTransactions(e.executionArn())).isEqualTo(1 + 3);
  }

  /** How many transactions wrote the history of {@code arn} (its rows' distinct xmin). */
  private static int historyTransactions(String arn) {
    try (var c = pg.database().dataSource().getConnection();
        var ps =
            c.prepareStatement(
                "select count(distinct xmin::text) from states_history where execution_arn = ?")) {
      ps.setString(1, arn);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int countWork(String arn, String kind) {
    try (var c = pg.database().dataSource().getConnection();
        var ps =
            c.prepareStatement(
                "select count(*) from states_work where execution_arn like ? and kind = ?")) {
      ps.setString(1, arn);
      ps.setString(2, kind);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void parallelAndMapRunTheirBranchesAsChildExecutions() {
    engine.createStateMachine(
        "fanout",
        def(
            "{'StartAt':'P','States':{'P':{'Type':'Parallel','Next':'M','Branches':["
                + "{'StartAt':'A','States':{'A':{'Type':'Task','Resource':'echo','End':true}}},"
                + "{'StartAt':'B','States':{'B':{'Type':'Pass','Result':2,'End':true}}}],"
                + "'ResultPath':'$.parallel'},"
                + "'M':{'Type':'Map','ItemsPath':'$.items','ResultPath':'$.mapped',"
                + "'ItemProcessor':{'StartAt':'E','States':{'E':{'Type':'Task','Resource':'echo',"
                + "'End':true}}},'End':true}}}"));
    Execution e = awaitEnd(engine.start("fanout", "f1", Json.parse("{\"items\":[1,2,3]}")));
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.output())
        .isEqualTo(
            Json.parse(
                "{\"items\":[1,2,3],\"parallel\":[{\"items\":[1,2,3]},2],\"mapped\":[1,2,3]}"));
    assertThat(engine.history(e.executionArn()))
        .extracting(HistoryEvent::type)
        .containsSubsequence(
            "ParallelStateEntered",
            "ParallelStateStarted",
            "TaskStateEntered",
            "TaskSucceeded",
            "TaskStateExited",
            "ParallelStateSucceeded",
            "ParallelStateExited",
            "MapStateEntered",
            "MapStateStarted",
            "MapIterationStarted",
            "TaskStateEntered",
            "MapIterationSucceeded",
            "MapStateSucceeded",
            "MapStateExited",
            "ExecutionSucceeded");
    List<HistoryEvent> history = engine.history(e.executionArn());
    assertThat(history).extracting(HistoryEvent::type).containsOnlyOnce("ExecutionStarted");
    for (int i = 0; i < history.size(); i++) {
      assertThat(history.get(i).id()).isEqualTo(i + 1);
    }
    assertThat(engine.list(null, "fanout", 10)).hasSize(1);
  }

  @Test
  void callbackTaskParksUntilTheTokenComesBack() {
    engine.createStateMachine(
        "callback",
        def(
            "{'StartAt':'C','States':{'C':{'Type':'Task','Resource':'callback.waitForTaskToken',"
                + "'Parameters':{'token.$':'$$.Task.Token'},'ResultPath':'$.reply','End':true}}}"));
    Execution started = engine.start("callback", "c1", Json.object());
    await().atMost(Duration.ofSeconds(10)).until(() -> !tokens.isEmpty());
    String token = tokens.getLast();
    assertThat(engine.describe(started.executionArn()).status()).isEqualTo(ExecutionStatus.RUNNING);
    engine.sendTaskHeartbeat(token);
    engine.sendTaskSuccess(token, Json.parse("{\"approved\":true}"));
    Execution e = awaitEnd(started);
    assertThat(e.output()).isEqualTo(Json.parse("{\"reply\":{\"approved\":true}}"));
    assertThatThrownBy(() -> engine.sendTaskSuccess(token, Json.object()))
        .isInstanceOf(StatesException.NotFound.class)
        .hasMessageContaining("is not waiting");
  }

  @Test
  void stopAbortsARunningExecutionAndRefusesAStoppedOne() {
    engine.createStateMachine(
        "long", def("{'StartAt':'W','States':{'W':{'Type':'Wait','Seconds':600,'End':true}}}"));
    Execution started = engine.start("long", "l1", Json.object());
    Execution stopped = engine.stop(started.executionArn(), "Cancelled", "by test");
    assertThat(stopped.status()).isEqualTo(ExecutionStatus.ABORTED);
    assertThat(engine.history(started.executionArn()).getLast().type())
        .isEqualTo("ExecutionAborted");
    assertThat(
            countWork(started.executionArn(), "AFTER_WAIT")
                + countWork(started.executionArn(), "STEP"))
        .isZero();
    assertThatThrownBy(() -> engine.stop(started.executionArn(), null, null))
        .isInstanceOf(StatesException.Conflict.class);
    assertThat(engine.list(ExecutionStatus.ABORTED, "long", 10))
        .extracting(Execution::executionArn)
        .containsExactly(started.executionArn());
  }

  @Test
  void startingARunningExecutionAgainWithTheSameInputReturnsItAndOtherwiseConflicts() {
    engine.createStateMachine(
        "idem", def("{'StartAt':'W','States':{'W':{'Type':'Wait','Seconds':600,'End':true}}}"));
    Execution first = engine.start("idem", "i1", Json.parse("{\"a\":1}"));
    Execution again = engine.start("idem", "i1", Json.parse("{\"a\":1}"));
    assertThat(again.executionArn()).isEqualTo(first.executionArn());
    assertThat(again.startDate()).isEqualTo(engine.describe(first.executionArn()).startDate());
    assertThat(engine.history(first.executionArn()))
        .filteredOn(h -> h.type().equals("ExecutionStarted"))
        .hasSize(1);
    assertThatThrownBy(() -> engine.start("idem", "i1", Json.parse("{\"a\":2}")))
        .isInstanceOf(StatesException.Conflict.class)
        .hasMessageContaining("already exists");
    engine.stop(first.executionArn(), null, null);
    assertThatThrownBy(() -> engine.start("idem", "i1", Json.parse("{\"a\":1}")))
        .isInstanceOf(StatesException.Conflict.class);
  }

  @Test
  void redriveRunsAFailedExecutionAgainFromTheFailedState() {
    engine.createStateMachine(
        "redrive",
        def(
            "{'StartAt':'A','States':{'A':{'Type':'Task','Resource':'echo','Next':'B'},"
                + "'B':{'Type':'Task','Resource':'fragile','End':true}}}"));
    Execution failed = awaitEnd(engine.start("redrive", "d1", Json.object()));
    assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(failed.error()).isEqualTo("java.lang.IllegalStateException");
    assertThat(failed.currentState()).isEqualTo("B");
    long echoes =
        calls.stream().filter(c -> c.executionArn().equals(failed.executionArn())).count();
    broken.set(false);
    engine.redrive(failed.executionArn());
    Execution e = awaitEnd(failed);
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.output()).isEqualTo(Json.parse("\"fixed\""));
    assertThat(e.redriveCount()).isEqualTo(1);
    assertThat(calls.stream().filter(c -> c.executionArn().equals(failed.executionArn())).count())
        .isEqualTo(echoes);
    assertThatThrownBy(() -> engine.redrive(failed.executionArn()))
        .isInstanceOf(StatesException.Conflict.class)
        .hasMessageContaining("only a FAILED execution");
  }

  @Test
  void httpResourcesArePostedToAndNon2xxFailsTheTask() {
    String base = "http://127.0.0.1:" + http.getAddress().getPort();
    engine.createStateMachine(
        "http",
        def(
            "{'StartAt':'Ok','States':{'Ok':{'Type':'Task','Resource':'"
                + base
                + "/ok','ResultPath':'$.r','Next':'Down'},'Down':{'Type':'Task','Resource':'"
                + base
                + "/down','End':true}}}"));
    Execution e = awaitEnd(engine.start("http", "x1", Json.parse("{\"n\":1}")));
    assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(e.error()).isEqualTo("States.TaskFailed");
    assertThat(e.cause()).contains("HTTP 503");
    JsonNode okOutput =
        Json.parse(
            engine.history(e.executionArn()).stream()
                .filter(h -> h.type().equals("TaskSucceeded"))
                .findFirst()
                .orElseThrow()
                .toJson()
                .at("/taskSucceededEventDetails/output")
                .asText());
    assertThat(okOutput.get("echo")).isEqualTo(Json.parse("{\"n\":1}"));
    assertThat(okOutput.get("key").asText()).startsWith(e.executionArn() + "/Ok/");
  }

  @Test
  void refusesUnknownMachinesInvalidDefinitionsAndDuplicateNames() {
    assertThatThrownBy(() -> engine.start("nope", null, Json.object()))
        .isInstanceOf(StatesException.NotFound.class);
    assertThatThrownBy(() -> engine.createStateMachine("bad", def("{'StartAt':'X','States':{}}")))
        .isInstanceOf(StatesException.Invalid.class);
    engine.createStateMachine(
        "dup", def("{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}"));
    engine.start("dup", "same", Json.object());
    // the same name with another input (the same input while running is idempotent)
    assertThatThrownBy(() -> engine.start("dup", "same", Json.parse("{\"other\":1}")))
        .isInstanceOf(StatesException.Conflict.class);
  }

  @Test
  void aFailingParallelBranchStopsTheOthersAndFailsTheStateAtOnce() {
    engine.createStateMachine(
        "failfast",
        def(
            "{'StartAt':'P','States':{'P':{'Type':'Parallel','End':true,'Branches':["
                + "{'StartAt':'Slow','States':{'Slow':{'Type':'Wait','Seconds':600,'End':true}}},"
                + "{'StartAt':'Boom','States':{'Boom':{'Type':'Fail','Error':'Boom',"
                + "'Cause':'branch failed'}}}]}}}"));
    Execution e = awaitEnd(engine.start("failfast", "p1", Json.object()));
    assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(e.error()).isEqualTo("Boom");
    assertThat(engine.history(e.executionArn()))
        .extracting(HistoryEvent::type)
        .contains("ParallelStateFailed");
    assertThat(countWork(e.executionArn() + "/%", "AFTER_WAIT")).isZero();
  }

  @Test
  void taskTimeoutSecondsFailsASlowTaskWithStatesTimeout() {
    engine.createStateMachine(
        "timeout",
        def(
            "{'StartAt':'S','States':{'S':{'Type':'Task','Resource':'slow','TimeoutSeconds':1,"
                + "'End':true}}}"));
    Execution e = awaitEnd(engine.start("timeout", "t1", Json.object()));
    assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(e.error()).isEqualTo("States.Timeout");
    assertThat(engine.history(e.executionArn()))
        .extracting(HistoryEvent::type)
        .contains("TaskTimedOut");
  }

  @Test
  void aCallbackTaskWithoutHeartbeatsFailsWithHeartbeatTimeout() {
    engine.createStateMachine(
        "heartbeat",
        def(
            "{'StartAt':'C','States':{'C':{'Type':'Task','Resource':'callback.waitForTaskToken',"
                + "'HeartbeatSeconds':1,'TimeoutSeconds':60,'End':true}}}"));
    int before = tokens.size();
    Execution e = awaitEnd(engine.start("heartbeat", "h1", Json.object()));
    assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(e.error()).isEqualTo("States.HeartbeatTimeout");
    String late = tokens.get(before);
    assertThatThrownBy(() -> engine.sendTaskSuccess(late, Json.object()))
        .isInstanceOf(StatesException.TimedOut.class)
        .hasMessageContaining("timed out");
    assertThatThrownBy(() -> engine.sendTaskHeartbeat(late))
        .isInstanceOf(StatesException.TimedOut.class);
    assertThatThrownBy(() -> engine.sendTaskSuccess("never-issued", Json.object()))
        .isInstanceOf(StatesException.NotFound.class);
  }

  @Test
  void aRetriedCallbackTaskWaitsUnderANewTokenAndTheTimedOutOneIsClosed() {
    engine.createStateMachine(
        "retried-callback",
        def(
            "{'StartAt':'C','States':{'C':{'Type':'Task','Resource':'callback.waitForTaskToken',"
                + "'Parameters':{'token.$':'$$.Task.Token'},'TimeoutSeconds':1,"
                + "'Retry':[{'ErrorEquals':['States.Timeout'],'IntervalSeconds':1,"
                + "'MaxAttempts':1}],'End':true}}}"));
    int before = tokens.size();
    Execution started = engine.start("retried-callback", "rc1", Json.object());
    await().atMost(Duration.ofSeconds(20)).until(() -> tokens.size() >= before + 2);
    String first = tokens.get(before);
    String second = tokens.get(before + 1);
    assertThat(second).isNotEqualTo(first);
    assertThatThrownBy(() -> engine.sendTaskSuccess(first, Json.object()))
        .isInstanceOf(StatesException.TimedOut.class);
    engine.sendTaskSuccess(second, Json.parse("{\"late\":false}"));
    Execution e = awaitEnd(started);
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.output()).isEqualTo(Json.parse("{\"late\":false}"));
  }

  @Test
  void mapMaxConcurrencyRunsAtMostThatManyIterationsAtOnce() {
    engine.createStateMachine(
        "limited",
        def(
            "{'StartAt':'M','States':{'M':{'Type':'Map','MaxConcurrency':2,'End':true,"
                + "'ItemProcessor':{'StartAt':'C','States':{'C':{'Type':'Task',"
                + "'Resource':'count','End':true}}}}}}"));
    Execution e = awaitEnd(engine.start("limited", "m1", Json.parse("[1,2,3,4,5,6,7,8]")));
    assertThat(e.output()).isEqualTo(Json.parse("[1,2,3,4,5,6,7,8]"));
    assertThat(peak.get()).isBetween(1, 2);
  }
}
