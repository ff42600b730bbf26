package io.bulwark.states.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bulwark.kernel.Json;
import io.bulwark.states.StatesError;
import io.bulwark.testkit.PostgresExtension;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an application that embeds the engine relies on: starting an execution in its own
 * transaction, hearing about the end of an execution in the transaction that records it,
 * priorities, and stepping work in the caller's thread.
 */
class EmbeddingTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("states");

  static final String ONE_TASK =
      """
      {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","End":true}}}""";
  static final String JOINED =
      """
      {"StartAt":"First","States":{
        "First":{"Type":"Task","Resource":"joined","ResultPath":null,"Next":"Second",
          "Parameters":{"id.$":"States.Format('{}-1', $.id)","fail.$":"$.fail","outside.$":"$.outside"},
          "Catch":[{"ErrorEquals":["Broken"],"ResultPath":"$.error","Next":"Caught"}]},
        "Second":{"Type":"Task","Resource":"joined","ResultPath":null,"End":true,
          "Parameters":{"id.$":"States.Format('{}-2', $.id)","fail":false,"outside.$":"$.outside"}},
        "Caught":{"Type":"Pass","End":true}}}""";
  static final String AROUND =
      """
      {"StartAt":"First","States":{
        "First":{"Type":"Task","Resource":"joined","ResultPath":null,"Next":"Pay",
          "Parameters":{"id.$":"States.Format('{}-first', $.id)","fail":false,"outside":false}},
        "Pay":{"Type":"Task","Resource":"around","ResultPath":"$.paid","Next":"Last",
          "Parameters":{"id.$":"$.id","failAt.$":"$.failAt"},
          "Catch":[{"ErrorEquals":["Broken"],"ResultPath":"$.error","Next":"Caught"}]},
        "Last":{"Type":"Task","Resource":"joined","ResultPath":null,"End":true,
          "Parameters":{"id.$":"States.Format('{}-last', $.id)","fail":false,"outside":false}},
        "Caught":{"Type":"Pass","End":true}}}""";

  static final List<String> worked = new CopyOnWriteArrayList<>();
  static final List<String> afterCommit = new CopyOnWriteArrayList<>();
  static final List<Long> chainRowsAtCommit = new CopyOnWriteArrayList<>();
  static final AtomicBoolean listenerFails = new AtomicBoolean();
  static Engine engine;
  static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void setUp() throws SQLException {
    sql("create table ended (arn text primary key, status text not null, error text)");
    sql("create table joined_writes (id text primary key)");
    engine =
        Engine.builder(pg.database())
            .workers(0)
            .meterRegistry(registry)
            .task(
                "work",
                r -> {
                  worked.add(r.input().path("id").asText());
                  if (r.input().path("fail").asBoolean()) {
                    throw new StatesError("Broken", "it broke");
                  }
                  return r.input();
                })
            .task("joined", new JoiningHandler())
            .task("around", new AroundHandler())
            .onCompletion(
                "held",
                (c, e) -> {
                  if (listenerFails.get()) {
                    throw new IllegalStateException("listener down");
                  }
                })
            .onCompletion(
                "one",
                (c, e) -> {
                  if (listenerFails.get()) {
                    throw new IllegalStateException("listener down");
                  }
                  try (PreparedStatement ps =
                      c.prepareStatement("insert into ended values (?, ?, ?)")) {
                    ps.setString(1, e.executionArn());
                    ps.setString(2, e.status().name());
                    ps.setString(3, e.error());
                    ps.executeUpdate();
                  }
                })
            .build();
    engine.createStateMachine("one", ONE_TASK);
    engine.createStateMachine("other", ONE_TASK);
    engine.createStateMachine("joined", JOINED);
    engine.createStateMachine("held", JOINED);
    engine.createStateMachine("around", AROUND);
    engine.createStateMachine("metered", ONE_TASK);
    StringBuilder chain = new StringBuilder("{\"StartAt\":\"T0\",\"States\":{");
    for (int i = 0; i < 12; i++) {
      chain.append(i == 0 ? "" : ",").append("\"T").append(i).append("\":");
      chain.append("{\"Type\":\"Task\",\"Resource\":\"joined\",\"ResultPath\":null,");
      chain.append("\"Parameters\":{\"id\":\"chain-").append(i).append("\",\"fail\":false},");
      chain.append(i == 11 ? "\"End\":true}" : "\"Next\":\"T" + (i + 1) + "\"}");
    }
    engine.createStateMachine("chain", chain.append("}}").toString());
  }

  /**
   * Writes {@code id} through the engine's connection, then fails if asked to; joins the engine's
   * transaction unless the input says {@code outside}, when it writes on a connection of its own.
   */
  static final class JoiningHandler implements DurableTaskHandler {
    @Override
    public boolean joinsTransaction(TaskRequest request) {
      return !request.input().path("outside").asBoolean();
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode invoke(
        TaskRequest request, TaskTransaction transaction) {
      String id = request.input().path("id").asText();
      try (PreparedStatement ps =
          transaction.connection().prepareStatement("insert into joined_writes values (?)")) {
        ps.setString(1, id);
        ps.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      transaction.afterCommit(
          () -> {
            afterCommit.add(id);
            if (id.startsWith("chain-")) {
              chainRowsAtCommit.add(chainRows());
            }
          });
      if (request.input().path("fail").asBoolean()) {
        throw new StatesError("Broken", "it broke after writing " + id);
      }
      return request.input();
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode invoke(TaskRequest request) {
      try {
        sql("insert into joined_writes values ('" + request.input().path("id").asText() + "')");
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      return request.input();
    }
  }

  /** What each call of {@link AroundHandler} saw committed, and what each of its parts did. */
  static final java.util.Map<String, List<String>> committedAt =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Works around its call: writes {@code <id>-before} before it and {@code <id>-after} after it
   * through the engine's connection, noting what had committed when the call ran and after each
   * part's commit, and fails where the input's {@code failAt} says (after writing).
   */
  static final class AroundHandler implements DurableTaskHandler {
    @Override
    public boolean worksAroundCall(TaskRequest request) {
      return true;
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode before(
        TaskRequest request, TaskTransaction transaction) {
      return part(request, transaction, "before", Json.parse("{\"token\":\"prepared\"}"));
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode call(
        TaskRequest request, com.fasterxml.jackson.databind.JsonNode prepared) {
      String id = request.input().path("id").asText();
      committedAt.put(id + " call " + prepared.path("token").asText(), writesOf(id));
      if ("call".equals(request.input().path("failAt").asText())) {
        throw new StatesError("Broken", "the call failed");
      }
      return Json.parse("{\"charged\":\"" + id + "\"}");
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode after(
        TaskRequest request,
        com.fasterxml.jackson.databind.JsonNode result,
        TaskTransaction transaction) {
      com.fasterxml.jackson.databind.node.ObjectNode recorded = result.deepCopy();
      return part(request, transaction, "after", recorded.put("recorded", true));
    }

    private static com.fasterxml.jackson.databind.JsonNode part(
        TaskRequest request,
        TaskTransaction transaction,
        String part,
        com.fasterxml.jackson.databind.JsonNode result) {
      String id = request.input().path("id").asText();
      try (PreparedStatement ps =
          transaction.connection().prepareStatement("insert into joined_writes values (?)")) {
        ps.setString(1, id + "-" + part);
        ps.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      transaction.afterCommit(() -> committedAt.put(id + " " + part, writesOf(id)));
      if (part.equals(request.input().path("failAt").asText())) {
        throw new StatesError("Broken", part + " failed after writing");
      }
      return result;
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode invoke(TaskRequest request) {
      throw new IllegalStateException("a task that works around its call is called by call()");
    }
  }

  static List<String> writesOf(String id) {
    try {
      return joinedWrites().stream().filter(w -> w.startsWith(id + "-")).toList();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> joinedWrites() throws SQLException {
    try (Connection c = pg.database().dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("select id from joined_writes order by id");
        ResultSet rs = ps.executeQuery()) {
      List<String> ids = new java.util.ArrayList<>();
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
      return ids;
    }
  }

  static long chainRows() {
    try {
      return joinedWrites().stream().filter(id -> id.startsWith("chain-")).count();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> historyTypes(String arn) {
    return engine.history(arn).stream().map(HistoryEvent::type).toList();
  }

  static void sql(String statement) throws SQLException {
    try (Connection c = pg.database().dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(statement)) {
      ps.execute();
    }
  }

  static String ended(String arn) throws SQLException {
    try (Connection c = pg.database().dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select status || coalesce(' ' || error, '') from ended where arn = ?")) {
      ps.setString(1, arn);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Starts execution {@code name} of {@code machine} after the work due now, runs it; its arn. */
  static String runToEnd(String machine, String name, String input) {
    drain();
    engine.start(machine, name, Json.parse(input));
    drain();
    return Engine.executionArn(machine, name);
  }

  static void drain() {
    while (engine.runOnce()) {
      // run all due work in this thread
    }
  }

  @Test
  void anExecutionStartedInARolledBackTransactionNeverExists() throws SQLException {
    DataSource ds = pg.database().dataSource();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      engine.start(c, "one", "rolled-back", Json.parse("{\"id\":\"rb\"}"), 0);
      c.rollback();
    }
    drain();
    assertThatThrownBy(() -> engine.describe(Engine.executionArn("one", "rolled-back")))
        .isInstanceOf(StatesException.NotFound.class);
    assertThat(worked).doesNotContain("rb");

    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      engine.start(c, "one", "committed", Json.parse("{\"id\":\"cm\"}"), 0);
      assertThatThrownBy(() -> engine.start(c, "one", "committed", Json.object(), 0))
          .isInstanceOf(StatesException.Conflict.class);
      c.commit(); // the refused duplicate left the transaction usable
    }
    drain();
    assertThat(engine.describe(Engine.executionArn("one", "committed")).status())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
  }

  @Test
  void theListenerHearsEveryEndOnceInTheEndingTransaction() throws SQLException {
    engine.start("one", "succeeds", Json.parse("{\"id\":\"s\"}"));
    engine.start("one", "fails", Json.parse("{\"id\":\"f\",\"fail\":true}"));
    engine.start("other", "not-listened", Json.parse("{\"id\":\"o\"}"));
    drain();
    assertThat(ended(Engine.executionArn("one", "succeeds"))).isEqualTo("SUCCEEDED");
    assertThat(ended(Engine.executionArn("one", "fails"))).isEqualTo("FAILED Broken");
    assertThat(ended(Engine.executionArn("other", "not-listened"))).isNull();

    engine.start("one", "stopped", Json.parse("{\"id\":\"x\"}"));
    engine.stop(Engine.executionArn("one", "stopped"), "Operator", "no longer wanted");
    assertThat(ended(Engine.executionArn("one", "stopped"))).isEqualTo("ABORTED Operator");
  }

  @Test
  void aFailingListenerLeavesTheExecutionRunningUntilItCanRecordTheEnd() throws SQLException {
    drain();
    listenerFails.set(true);
    try {
      engine.start("one", "listener-down", Json.parse("{\"id\":\"ld\"}"));
      assertThat(engine.runOnce()).isTrue();
      assertThat(engine.describe(Engine.executionArn("one", "listener-down")).status())
          .isEqualTo(ExecutionStatus.RUNNING);
      assertThat(ended(Engine.executionArn("one", "listener-down"))).isNull();
      assertThat(engine.runOnce()).isFalse(); // its claim holds the step for a lease
    } finally {
      listenerFails.set(false);
    }
    // the claim of the failed step runs out after the lease; expire it now instead of waiting
    sql("update states_work set lease_until = now() - interval '1 second'");
    drain();
    assertThat(engine.describe(Engine.executionArn("one", "listener-down")).status())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(ended(Engine.executionArn("one", "listener-down"))).isEqualTo("SUCCEEDED");
  }

  @Test
  void tasksThatJoinTheTransactionCommitWithTheStepAndLeaveTheSameHistory() throws SQLException {
    drain();
    engine.start("joined", "in", Json.parse("{\"id\":\"in\",\"fail\":false,\"outside\":false}"));
    // one claim, one transaction: both tasks ran and the execution ended
    assertThat(engine.runOnce()).isTrue();
    String in = Engine.executionArn("joined", "in");
    assertThat(engine.describe(in).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(joinedWrites()).contains("in-1", "in-2");
    assertThat(afterCommit).contains("in-1", "in-2");

    engine.start("joined", "out", Json.parse("{\"id\":\"out\",\"fail\":false,\"outside\":true}"));
    drain();
    String out = Engine.executionArn("joined", "out");
    assertThat(engine.describe(out).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(joinedWrites()).contains("out-1", "out-2");
    assertThat(historyTypes(in))
        .isEqualTo(historyTypes(out))
        .containsSubsequence(
            "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited");
  }

  @Test
  void aTaskThatWorksAroundItsCallCommitsEachPartWithTheNeighbouringSteps() throws SQLException {
    String arn = runToEnd("around", "ok", "{\"id\":\"ok\",\"failAt\":\"none\"}");
    assertThat(engine.describe(arn).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(engine.describe(arn).output().path("paid").toString())
        .isEqualTo("{\"charged\":\"ok\",\"recorded\":true}");
    assertThat(committedAt.get("ok call prepared"))
        .as("the part before the call committed with the state before it, before the call")
        .containsExactly("ok-before", "ok-first");
    assertThat(committedAt.get("ok after"))
        .as("the part after the call committed with the state after it")
        .containsExactlyInAnyOrder("ok-first", "ok-before", "ok-after", "ok-last");
    assertThat(historyTypes(arn))
        .containsSubsequence(
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited");
  }

  @Test
  void aFailingPartAroundTheCallRollsBackItsWritesAndFailsTheTask() throws SQLException {
    drain();
    for (String at : List.of("before", "call", "after")) {
      engine.start("around", at, Json.parse("{\"id\":\"" + at + "\",\"failAt\":\"" + at + "\"}"));
    }
    drain();
    for (String at : List.of("before", "call", "after")) {
      String arn = Engine.executionArn("around", at);
      assertThat(engine.describe(arn).output().path("error").path("Error").asText())
          .as(at)
          .isEqualTo("Broken");
      assertThat(historyTypes(arn)).as(at).contains("TaskFailed").doesNotContain("ExecutionFailed");
    }
    assertThat(writesOf("before"))
        .as("nothing of the failed part, no call")
        .containsExactly("before-first");
    assertThat(committedAt).doesNotContainKey("before call prepared");
    assertThat(writesOf("call")).containsExactly("call-before", "call-first");
    assertThat(writesOf("after"))
        .as("the failed part after the call rolled back, the Catch went on")
        .containsExactly("after-before", "after-first");
    assertThat(committedAt).containsKey("after call prepared");
  }

  @Test
  void aJoinedTaskThatFailsLeavesNoneOfItsWritesAndItsCatchRuns() throws SQLException {
    String arn = runToEnd("joined", "fails", "{\"id\":\"jf\",\"fail\":true,\"outside\":false}");
    assertThat(engine.describe(arn).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(engine.describe(arn).output().path("error").path("Error").asText())
        .isEqualTo("Broken");
    assertThat(historyTypes(arn)).contains("TaskFailed").doesNotContain("TaskSucceeded");
    assertThat(joinedWrites()).doesNotContain("jf-1", "jf-2");
    assertThat(afterCommit).doesNotContain("jf-1");
  }

  @Test
  void aStepThatFailsInTheTransactionOfItsClaimIsHeldForALeaseNotRetriedAtOnce()
      throws SQLException {
    drain();
    listenerFails.set(true);
    String arn = Engine.executionArn("held", "h");
    try {
      // both tasks join the claim's transaction, and the end fails in it (the listener)
      engine.start("held", "h", Json.parse("{\"id\":\"h\",\"fail\":false,\"outside\":false}"));
      assertThat(engine.runOnce()).isTrue();
      assertThat(engine.describe(arn).status()).isEqualTo(ExecutionStatus.RUNNING);
      assertThat(joinedWrites()).doesNotContain("h-1", "h-2");
      assertThat(engine.runOnce()).isFalse();
    } finally {
      listenerFails.set(false);
    }
    sql("update states_work set lease_until = now() - interval '1 second'");
    drain();
    assertThat(engine.describe(arn).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(joinedWrites()).contains("h-1", "h-2");
  }

  @Test
  void aLongChainOfJoinedTasksStillCommitsNowAndThen() throws SQLException {
    drain();
    engine.start("chain", "long", Json.object());
    drain();
    assertThat(engine.describe(Engine.executionArn("chain", "long")).status())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(chainRows()).isEqualTo(12L);
    // what had committed when each task's after-commit action ran: eight tasks, then four
    assertThat(chainRowsAtCommit)
        .containsExactly(8L, 8L, 8L, 8L, 8L, 8L, 8L, 8L, 12L, 12L, 12L, 12L);
  }

  static double count(String name, String... tags) {
    Counter c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  static double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void metersCountExecutionsAndTasksAfterTheirCommitsAndShowTheBacklog() throws SQLException {
    drain();
    double succeeded = count("bulwark.states.tasks", "outcome", "succeeded");
    double failed = count("bulwark.states.tasks", "outcome", "failed");
    DataSource ds = pg.database().dataSource();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      engine.start(c, "metered", "m-ok", Json.parse("{\"id\":\"m-ok\"}"), 0);
      c.commit();
    }
    engine.start("metered", "m-fails", Json.parse("{\"id\":\"m-fails\",\"fail\":true}"));
    engine.start("metered", "m-stopped", Json.parse("{\"id\":\"m-stopped\"}"));
    engine.stop(Engine.executionArn("metered", "m-stopped"), "Operator", "not wanted");
    assertThat(count("bulwark.states.executions.started", "machine", "metered")).isEqualTo(3);
    // two steps due and unclaimed (the stopped execution's work is gone)
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(gauge("bulwark.states.work.due")).isEqualTo(2));
    assertThat(gauge("bulwark.states.work.lag")).isGreaterThanOrEqualTo(0);

    drain();
    assertThat(
            count("bulwark.states.executions.ended", "machine", "metered", "status", "SUCCEEDED"))
        .isEqualTo(1);
    assertThat(count("bulwark.states.executions.ended", "machine", "metered", "status", "FAILED"))
        .isEqualTo(1);
    assertThat(count("bulwark.states.executions.ended", "machine", "metered", "status", "ABORTED"))
        .isEqualTo(1);
    assertThat(count("bulwark.states.tasks", "outcome", "succeeded") - succeeded).isEqualTo(1);
    assertThat(count("bulwark.states.tasks", "outcome", "failed") - failed).isEqualTo(1);
    assertThat(
            registry
                .find("bulwark.states.execution.time")
                .tag("machine", "metered")
                .timers()
                .stream()
                .map(t -> t.getId().getTag("status") + "=" + t.count()))
        .containsExactlyInAnyOrder("SUCCEEDED=1", "FAILED=1", "ABORTED=1");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(gauge("bulwark.states.work.due")).isZero());

    engine.redrive(Engine.executionArn("metered", "m-fails"));
    assertThat(count("bulwark.states.executions.redriven", "machine", "metered")).isEqualTo(1);
    drain();
    assertThat(count("bulwark.states.executions.ended", "machine", "metered", "status", "FAILED"))
        .isEqualTo(2);
  }

  @Test
  void aTransactionThatRollsBackCountsNothing() throws SQLException {
    drain();
    listenerFails.set(true);
    try {
      engine.start("one", "rolls-back", Json.parse("{\"id\":\"rolls-back\"}"));
      double ended =
          count("bulwark.states.executions.ended", "machine", "one", "status", "SUCCEEDED");
      double succeeded = count("bulwark.states.tasks", "outcome", "succeeded");
      // the task ran, but the transaction recording its outcome and the end failed (listener)
      assertThat(engine.runOnce()).isTrue();
      assertThat(count("bulwark.states.executions.ended", "machine", "one", "status", "SUCCEEDED"))
          .isEqualTo(ended);
      assertThat(count("bulwark.states.tasks", "outcome", "succeeded")).isEqualTo(succeeded);
    } finally {
      listenerFails.set(false);
    }
    sql("update states_work set lease_until = now() - interval '1 second'");
    drain();
  }

  @Test
  void higherPriorityExecutionsAreClaimedFirst() throws SQLException {
    drain();
    worked.clear();
    DataSource ds = pg.database().dataSource();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      engine.start(c, "other", "low-1", Json.parse("{\"id\":\"low-1\"}"), 0);
      engine.start(c, "other", "low-2", Json.parse("{\"id\":\"low-2\"}"), 0);
      engine.start(c, "other", "high", Json.parse("{\"id\":\"high\"}"), 1);
      c.commit();
    }
    assertThat(engine.runOnce()).isTrue();
    assertThat(worked).containsExactly("high");
    drain();
    assertThat(worked).containsExactly("high", "low-1", "low-2");
  }
}
