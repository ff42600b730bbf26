package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.kernel.Json;
import io.bulwark.messaging.DeadLetter;
import io.bulwark.messaging.DeadLetterQueue;
import io.bulwark.messaging.Failure;
import io.bulwark.messaging.postgres.PostgresDeadLetterQueue;
import io.bulwark.states.StatesError;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.HistoryEvent;
import io.bulwark.testkit.PostgresExtension;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real durable engine and a real dead-letter queue on embedded PostgreSQL, wired as the shop
 * wires them ({@link TaskDeadLetters}).
 */
class TaskDeadLettersTest {

  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.migrating("states", "eventstore", "messaging");

  /** Which executions' "work" task fails, and how often each execution called it. */
  private static final Map<String, AtomicBoolean> broken = new ConcurrentHashMap<>();

  private static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private static PrometheusMeterRegistry registry;
  private static DeadLetterQueue queue;
  private static Engine engine;

  @BeforeAll
  static void start() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    queue = PostgresDeadLetterQueue.of(pg.database().dataSource(), Clock.systemUTC(), registry);
    TaskDeadLetters letters = new TaskDeadLetters();
    engine =
        Engine.builder(pg.database())
            .task(
                "work",
                r -> {
                  calls
                      .computeIfAbsent(r.executionArn(), k -> new AtomicInteger())
                      .incrementAndGet();
                  if (broken.getOrDefault(r.executionArn(), new AtomicBoolean()).get()) {
                    throw new StatesError("WarehouseDown", "the warehouse did not answer");
                  }
                  return Json.parse("{\"shipped\":true}");
                })
            .onTaskFailure(letters)
            .workers(2)
            .pollInterval(Duration.ofMillis(20))
            .build();
    letters.attach(engine, queue);
    engine.startWorkers();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @BeforeEach
  void emptyQueue() throws Exception {
    try (Connection c = pg.database().dataSource().getConnection();
        var st = c.createStatement()) {
      st.execute("delete from messaging_dead_letters");
    }
  }

  @Test
  void aTaskThatKeepsFailingIsDeadLetteredAndReplayRedrivesItOnce() throws Exception {
    define(
        "fulfil",
        "{'StartAt':'Ship','States':{'Ship':{'Type':'Task','Resource':'work',"
            + "'Retry':[{'ErrorEquals':['WarehouseDown'],'IntervalSeconds':1,'MaxAttempts':2,"
            + "'BackoffRate':1}],'End':true}}}");
    String arn = Engine.executionArn("fulfil", "o-1");
    broken.put(arn, new AtomicBoolean(true));
    double deadLettered = counter("bulwark.dlq.dead.lettered");
    double replayed = counter("bulwark.dlq.replayed");
    Execution failed = awaitEnd(engine.start("fulfil", "o-1", Json.parse("{\"order\":1}")));

    // Step Functions semantics unchanged: FAILED with the task's error, history ends there
    assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(failed.error()).isEqualTo("WarehouseDown");
    assertThat(failed.cause()).isEqualTo("the warehouse did not answer");
    assertThat(failed.currentState()).isEqualTo("Ship");
    assertThat(types(arn)).last().isEqualTo("ExecutionFailed");
    assertThat(types(arn).stream().filter("TaskFailed"::equals)).hasSize(3);
    assertThat(calls.get(arn).get()).isEqualTo(3);

    List<DeadLetter> dead = queue.list(DeadLetter.Status.DEAD, 100);
    assertThat(dead).hasSize(1);
    DeadLetter letter = dead.getFirst();
    assertThat(letter.source()).isEqualTo(Failure.TASK);
    assertThat(letter.consumer()).isEqualTo("fulfil");
    assertThat(letter.topic()).isEqualTo("Ship");
    assertThat(letter.key()).isEqualTo(arn);
    assertThat(letter.messageId()).isEqualTo(arn + "#run-0");
    assertThat(Json.parse(letter.payload())).isEqualTo(Json.parse("{\"order\":1}"));
    assertThat(letter.error()).isEqualTo("WarehouseDown: the warehouse did not answer");
    assertThat(letter.attempts()).isEqualTo(3);
    assertThat(registry.scrape()).contains("bulwark_dlq_dead_lettered_total " + (deadLettered + 1));
    assertThat(queue.waiting()).isEqualTo(1);

    // fixed; four operators replay at once: one redrive
    broken.get(arn).set(false);
    List<DeadLetterQueue.Replayed> replays = replayConcurrently(letter, 4);
    assertThat(replays.stream().filter(DeadLetterQueue.Replayed::applied)).hasSize(1);
    assertThat(replays)
        .allSatisfy(r -> assertThat(r.letter().status()).isEqualTo(DeadLetter.Status.REPLAYED));
    Execution redriven = awaitEnd(engine.describe(arn));
    assertThat(redriven.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(redriven.output()).isEqualTo(Json.parse("{\"shipped\":true}"));
    assertThat(redriven.redriveCount()).isEqualTo(1);
    assertThat(calls.get(arn).get()).isEqualTo(4);

    // and once more, later: already applied, nothing runs again
    DeadLetterQueue.Replayed again = queue.replay(letter.id());
    assertThat(again.applied()).isFalse();
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(() -> assertThat(calls.get(arn).get()).isEqualTo(4));
    assertThat(types(arn).stream().filter("ExecutionRedriven"::equals)).hasSize(1);
    assertThat(engine.describe(arn).redriveCount()).isEqualTo(1);
    assertThat(queue.waiting()).isZero();
    assertThat(registry.scrape()).contains("bulwark_dlq_replayed_total " + (replayed + 1));
  }

  @Test
  void aRedrivenExecutionThatFailsAgainIsALetterOfItsOwnAndAnOldLetterNoLongerRedrives() {
    define(
        "refund",
        "{'StartAt':'Pay','States':{'Pay':{'Type':'Task','Resource':'work','End':true}}}");
    String arn = Engine.executionArn("refund", "r-1");
    broken.put(arn, new AtomicBoolean(true));
    awaitEnd(engine.start("refund", "r-1", Json.object()));
    DeadLetter first = queue.list(DeadLetter.Status.DEAD, 100).getFirst();
    assertThat(first.attempts()).isEqualTo(1);

    // redriven through the API (not the queue), and failing again
    engine.redrive(arn);
    awaitEnd(engine.describe(arn));
    assertThat(engine.describe(arn).redriveCount()).isEqualTo(1);
    List<DeadLetter> dead = queue.list(DeadLetter.Status.DEAD, 100);
    assertThat(dead)
        .extracting(DeadLetter::messageId)
        .containsExactly(arn + "#run-0", arn + "#run-1");

    // the first letter's run is over: replaying it redrives nothing
    broken.get(arn).set(false);
    assertThat(queue.replay(first.id()).applied()).isFalse();
    assertThat(engine.describe(arn).status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(calls.get(arn).get()).isEqualTo(2);
    // the second one redrives it
    assertThat(queue.replay(dead.get(1).id()).applied()).isTrue();
    assertThat(awaitEnd(engine.describe(arn)).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
  }

  @Test
  void aCaughtFailureIsNoLetterEvenWhenTheExecutionThenFails() {
    define(
        "caught",
        "{'StartAt':'Ship','States':{'Ship':{'Type':'Task','Resource':'work',"
            + "'Catch':[{'ErrorEquals':['States.ALL'],'Next':'GiveUp'}],'End':true},"
            + "'GiveUp':{'Type':'Fail','Error':'Abandoned','Cause':'caught'}}}");
    String arn = Engine.executionArn("caught", "c-1");
    broken.put(arn, new AtomicBoolean(true));
    Execution e = awaitEnd(engine.start("caught", "c-1", Json.object()));
    assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(e.error()).isEqualTo("Abandoned");
    assertThat(calls.get(arn).get()).isEqualTo(1);
    assertThat(queue.list(null, 100)).isEmpty();
  }

  @Test
  void discardLeavesTheExecutionFailed() {
    define(
        "discarded",
        "{'StartAt':'Ship','States':{'Ship':{'Type':'Task','Resource':'work','End':true}}}");
    String arn = Engine.executionArn("discarded", "d-1");
    broken.put(arn, new AtomicBoolean(true));
    awaitEnd(engine.start("discarded", "d-1", Json.object()));
    DeadLetter letter = queue.list(DeadLetter.Status.DEAD, 100).getFirst();

    assertThat(queue.discard(letter.id()).status()).isEqualTo(DeadLetter.Status.DISCARDED);
    Execution e = engine.describe(arn);
    assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(e.redriveCount()).isZero();
    assertThat(calls.get(arn).get()).isEqualTo(1);
  }

  private static List<DeadLetterQueue.Replayed> replayConcurrently(DeadLetter letter, int n)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<DeadLetterQueue.Replayed>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  return queue.replay(letter.id());
                }));
      }
      go.countDown();
      List<DeadLetterQueue.Replayed> out = new ArrayList<>();
      for (Future<DeadLetterQueue.Replayed> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static double counter(String name) {
    return registry.get(name).counter().count();
  }

  private static void define(String machine, String definition) {
    engine.createStateMachine(machine, definition.replace('\'', '"'));
  }

  private static List<String> types(String arn) {
    return engine.history(arn).stream().map(HistoryEvent::type).toList();
  }

  private static Execution awaitEnd(Execution e) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> engine.describe(e.executionArn()).status() != ExecutionStatus.RUNNING);
    return engine.describe(e.executionArn());
  }
}
