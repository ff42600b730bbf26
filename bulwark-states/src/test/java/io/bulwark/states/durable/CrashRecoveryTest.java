package io.bulwark.states.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.kernel.Json;
import io.bulwark.testkit.PostgresExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of an engine process with hundreds of executions in flight (waits, transient failures
 * retried with back-off, tasks joining the step's transaction, Pass states and Waits of 0 seconds
 * carried out in the transaction of the step before them): a fresh engine finishes them all, no
 * completed step runs again, and a joined task's writes exist exactly once.
 */
class CrashRecoveryTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("states");
  @TempDir Path dir;

  private static final int EXECUTIONS = 300;
  private static final int CHILD_WORKERS = 4;

  private static final String MACHINE =
      """
      {"StartAt":"Begin","States":{
        "Begin":{"Type":"Pass","Result":"begun","ResultPath":"$.begin","Next":"Reserve"},
        "Reserve":{"Type":"Task","Resource":"crash-task","ResultPath":"$.reserve","Next":"Hold",
          "Retry":[{"ErrorEquals":["Transient"],"IntervalSeconds":1,"BackoffRate":2,
                    "MaxDelaySeconds":2,"MaxAttempts":3,"JitterStrategy":"FULL"}]},
        "Hold":{"Type":"Wait","SecondsPath":"$.wait","Next":"Charge"},
        "Charge":{"Type":"Task","Resource":"crash-task","ResultPath":"$.charge","Next":"Ship",
          "Retry":[{"ErrorEquals":["Transient"],"IntervalSeconds":1,"MaxAttempts":3}]},
        "Ship":{"Type":"Task","Resource":"crash-task","ResultPath":"$.ship","Next":"Mark",
          "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":1,"MaxAttempts":2}]},
        "Mark":{"Type":"Pass","Result":"shipped","ResultPath":"$.mark","Next":"Confirm"},
        "Confirm":{"Type":"Task","Resource":"crash-joined","ResultPath":"$.confirm","End":true,
          "Parameters":{"n.$":"$.n"},
          "Retry":[{"ErrorEquals":["Transient"],"IntervalSeconds":1,"MaxAttempts":2}]}}}
      """;

  private long count(String sql) throws SQLException {
    try (Connection c = pg.database().dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private List<String> rows(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pg.database().dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Test
  @SuppressWarnings("try") // the resumed engine only has to run while the test waits
  void resumesEveryExecutionAfterKill9WithoutRerunningCompletedSteps() throws Exception {
    try (Connection c = pg.database().dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "create table crash_invocations (token text not null, generation int not null,"
              + " execution_arn text not null, state text not null, attempt int not null,"
              + " at timestamptz not null default clock_timestamp())");
      s.execute(
          "create table crash_joined (token text not null, generation int not null,"
              + " execution_arn text not null, attempt int not null)");
    }
    Engine api = CrashEngineMain.engine(pg.database(), 0, 0);
    api.createStateMachine("crash", MACHINE);
    for (int i = 0; i < EXECUTIONS; i++) {
      api.start("crash", "c" + i, Json.parse("{\"n\":" + i + ",\"wait\":" + (i % 3) + "}"));
    }

    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                CrashEngineMain.class.getName(),
                pg.jdbcUrl(),
                "1")
            .redirectError(dir.resolve("engine.log").toFile())
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertThat(
            CompletableFuture.supplyAsync(
                    () -> {
                      try {
                        return out.readLine();
                      } catch (java.io.IOException e) {
                        return null;
                      }
                    })
                .get(30, TimeUnit.SECONDS))
        .isEqualTo("READY");
    // Kill once the engine is well into the work: first steps done, waits and retries pending.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                count("select count(*) from crash_invocations") >= EXECUTIONS + 50
                    // and the joined task well under way: steps with it commit, others in flight
                    && count("select count(*) from crash_joined") >= 10);
    child.destroyForcibly();
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long running = count("select count(*) from states_executions where status = 'RUNNING'");
    assertThat(running).as("executions still running at the kill").isGreaterThan(0);
    assertThat(count("select count(*) from crash_joined")).isLessThan(EXECUTIONS);

    try (Engine resumed = CrashEngineMain.engine(pg.database(), 2, 4).startWorkers()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> count("select count(*) from states_executions where status = 'RUNNING'") == 0);
    }

    assertThat(count("select count(*) from states_executions where status = 'SUCCEEDED'"))
        .isEqualTo(EXECUTIONS);
    // A token seen twice is a step the killed process had in flight: one delivery per process.
    List<String> duplicated =
        rows("select token from crash_invocations group by token having count(*) > 1");
    assertThat(duplicated).hasSizeLessThanOrEqualTo(CHILD_WORKERS);
    assertThat(
            rows(
                "select token from crash_invocations group by token"
                    + " having count(*) > 2 or count(distinct generation) < count(*)"))
        .isEmpty();
    // Each state entered and each task completed exactly once per execution.
    assertThat(
            rows(
                "select execution_arn from states_history where type like '%StateEntered'"
                    + " group by execution_arn, details->'stateEnteredEventDetails'->>'name'"
                    + " having count(*) > 1"))
        .isEmpty();
    assertThat(count("select count(*) from states_history where type = 'TaskSucceeded'"))
        .isEqualTo(4L * EXECUTIONS);
    assertThat(count("select count(*) from states_history where type = 'PassStateExited'"))
        .isEqualTo(2L * EXECUTIONS);
    // The task that joins the step's transaction took effect exactly once per execution, across
    // the kill: its failed first attempts and the kill's uncommitted step left no write behind.
    assertThat(count("select count(*) from crash_joined")).isEqualTo(EXECUTIONS);
    assertThat(count("select count(distinct execution_arn) from crash_joined"))
        .isEqualTo(EXECUTIONS);
    assertThat(
            count(
                "select count(*) from crash_joined j join states_executions e"
                    + " on e.arn = j.execution_arn where (e.input->>'n')::int % 4 = 0"
                    + " and j.attempt = 0"))
        .isZero();
    assertThat(count("select count(*) from states_history where type = 'TaskFailed'"))
        .isGreaterThanOrEqualTo(EXECUTIONS / 4);
    assertThat(count("select count(*) from crash_invocations where generation = 1"))
        .isGreaterThan(0);
    assertThat(count("select count(*) from crash_invocations where generation = 2"))
        .isGreaterThan(0);
    api.close();
  }
}
