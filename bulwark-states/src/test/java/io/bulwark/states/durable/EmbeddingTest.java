package io.bulwark.states.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.kernel.Json;
import io.bulwark.states.StatesError;
import io.bulwark.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
  static final List<String> worked = new CopyOnWriteArrayList<>();
  static final AtomicBoolean listenerFails = new AtomicBoolean();
  static Engine engine;

  @BeforeAll
  static void setUp() throws SQLException {
    sql("create table ended (arn text primary key, status text not null, error text)");
    engine =
        Engine.builder(pg.database())
            .workers(0)
            .task(
                "work",
                r -> {
                  worked.add(r.input().path("id").asText());
                  if (r.input().path("fail").asBoolean()) {
                    throw new StatesError("Broken", "it broke");
                  }
                  return r.input();
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
    listenerFails.set(true);
    try {
      engine.start("one", "listener-down", Json.parse("{\"id\":\"ld\"}"));
      assertThat(engine.runOnce()).isTrue();
      assertThat(engine.describe(Engine.executionArn("one", "listener-down")).status())
          .isEqualTo(ExecutionStatus.RUNNING);
      assertThat(ended(Engine.executionArn("one", "listener-down"))).isNull();
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
