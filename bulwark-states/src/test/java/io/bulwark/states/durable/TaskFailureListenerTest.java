package io.bulwark.states.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.kernel.Json;
import io.bulwark.states.StatesError;
import io.bulwark.testkit.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TaskFailureListenerTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("states");

  private static final List<TaskFailureListener.FailedTask> told = new CopyOnWriteArrayList<>();
  private static Engine engine;

  @BeforeAll
  static void start() {
    engine =
        Engine.builder(pg.database())
            .task(
                "fail",
                r -> {
                  throw new StatesError("Boom", "attempt " + r.attempt());
                })
            .onTaskFailure((transaction, failure) -> told.add(failure))
            .workers(2)
            .pollInterval(Duration.ofMillis(20))
            .build()
            .startWorkers();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void toldOnceWhenRetriesRunOutWithTheTaskItsAttemptsAndTheFailedExecution() {
    engine.createStateMachine(
        "exhausted",
        ("{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'fail','Retry':[{'ErrorEquals':"
                + "['Boom'],'IntervalSeconds':1,'MaxAttempts':1}],'End':true}}}")
            .replace('\'', '"'));
    Execution e = awaitEnd(engine.start("exhausted", "x", Json.parse("{\"n\":1}")));

    assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(e.error()).isEqualTo("Boom");
    assertThat(e.cause()).isEqualTo("attempt 1");
    List<TaskFailureListener.FailedTask> mine =
        told.stream().filter(f -> f.execution().executionArn().equals(e.executionArn())).toList();
    assertThat(mine).hasSize(1);
    TaskFailureListener.FailedTask f = mine.getFirst();
    assertThat(f.execution()).isEqualTo(e);
    assertThat(f.state()).isEqualTo("T");
    assertThat(f.resource()).isEqualTo("fail");
    assertThat(f.error()).isEqualTo("Boom");
    assertThat(f.cause()).isEqualTo("attempt 1");
    assertThat(f.attempts()).isEqualTo(2);
    assertThat(f.input()).isEqualTo(Json.parse("{\"n\":1}"));
    assertThat(engine.history(e.executionArn()).getLast().type()).isEqualTo("ExecutionFailed");
  }

  @Test
  void notToldOfACaughtFailureNorOfAFailureInsideAParallelBranch() {
    engine.createStateMachine(
        "caught",
        ("{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'fail','Catch':[{'ErrorEquals':"
                + "['States.ALL'],'Next':'F'}],'End':true},'F':{'Type':'Fail','Error':'E'}}}")
            .replace('\'', '"'));
    engine.createStateMachine(
        "branch",
        ("{'StartAt':'P','States':{'P':{'Type':'Parallel','End':true,'Branches':[{'StartAt':'T',"
                + "'States':{'T':{'Type':'Task','Resource':'fail','End':true}}}]}}}")
            .replace('\'', '"'));
    Execution caught = awaitEnd(engine.start("caught", "c", Json.object()));
    Execution branch = awaitEnd(engine.start("branch", "b", Json.object()));

    assertThat(caught.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(branch.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(told)
        .noneMatch(
            f ->
                f.execution().stateMachineName().equals("caught")
                    || f.execution().stateMachineName().equals("branch"));
  }

  private static Execution awaitEnd(Execution e) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> engine.describe(e.executionArn()).status() != ExecutionStatus.RUNNING);
    return engine.describe(e.executionArn());
  }
}
