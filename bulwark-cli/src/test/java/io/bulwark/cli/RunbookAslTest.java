package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.TaskRequest;
import io.bulwark.testkit.PostgresExtension;
import io.bulwark.topology.TopologyFile;
import io.bulwark.topology.runbook.Runbook;
import io.bulwark.topology.runbook.RunbookAsl;
import io.bulwark.topology.runbook.RunbookStep;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The runbook as a States Language state machine runs on the durable engine: every step is a task a
 * person completes with its token, in order; a failed step rolls back the completed ones in reverse
 * and fails the execution.
 */
class RunbookAslTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("states");

  static final BlockingQueue<TaskRequest> parked = new LinkedBlockingQueue<>();
  static Engine engine;

  @BeforeAll
  static void start() {
    engine =
        Engine.builder(pg.database())
            .task(
                RunbookAsl.MANUAL_STEP,
                r -> {
                  parked.add(r);
                  return null;
                })
            .pollInterval(Duration.ofMillis(20))
            .workers(2)
            .build()
            .startWorkers();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private static Path example(String name) {
    Path p = Path.of("../examples", name);
    return p.toFile().exists() ? p : Path.of("examples", name);
  }

  private static Runbook runbook(String example) {
    return Runbook.of(
        TopologyFile.load(example(example)), "examples/" + example, Clock.systemUTC());
  }

  private static TaskRequest next() throws InterruptedException {
    TaskRequest t = parked.poll(20, TimeUnit.SECONDS);
    assertThat(t).as("a step waiting for its operator").isNotNull();
    return t;
  }

  @Test
  void theCommandPrintsADefinitionTheEngineAccepts() {
    StringWriter out = new StringWriter();
    CommandLine cli = BulwarkCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    int code = cli.execute("runbook", example("pilot-light.yaml").toString(), "--format", "asl");
    assertThat(code).isZero();
    JsonNode definition = Json.parse(out.toString());
    assertThat(definition.get("StartAt").asText()).isEqualTo("1 detect");
    assertThat(engine.createStateMachine("dr-pilot-light", out.toString()).version()).isPositive();
  }

  @Test
  void runsEveryStepInOrderEachCompletedByItsToken() throws Exception {
    Runbook r = runbook("warm-standby.yaml");
    engine.createStateMachine("dr-warm-standby", Json.write(RunbookAsl.of(r)));
    Execution started = engine.start("dr-warm-standby", "drill-1", Json.object());
    for (RunbookStep step : r.steps()) {
      TaskRequest t = next();
      assertThat(t.input().get("step").asInt()).isEqualTo(step.number());
      assertThat(t.input().get("action").asText()).isEqualTo(step.action());
      assertThat(t.input().get("instructions")).isNotEmpty();
      assertThat(t.input().get("execution").asText()).isEqualTo(started.executionArn());
      engine.sendTaskSuccess(
          t.taskToken(), Json.parse("{\"doneBy\":\"operator\",\"step\":" + step.number() + "}"));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> engine.describe(started.executionArn()).status() == ExecutionStatus.SUCCEEDED);
    JsonNode steps = engine.describe(started.executionArn()).output().get("steps");
    assertThat(steps.size()).isEqualTo(r.steps().size());
    assertThat(parked).isEmpty();
  }

  @Test
  void aFailedStepRollsBackTheCompletedOnesInReverse() throws Exception {
    Runbook r = runbook("pilot-light.yaml");
    engine.createStateMachine("dr-pilot-light-fails", Json.write(RunbookAsl.of(r)));
    Execution started = engine.start("dr-pilot-light-fails", "drill-2", Json.object());
    engine.sendTaskSuccess(next().taskToken(), Json.object());
    engine.sendTaskSuccess(next().taskToken(), Json.object());
    TaskRequest third = next();
    assertThat(third.input().get("step").asInt()).isEqualTo(3);
    engine.sendTaskFailure(third.taskToken(), "StepFailed", "the replica did not promote");
    for (int step = 3; step >= 1; step--) {
      TaskRequest undo = next();
      assertThat(undo.input().get("kind").asText()).isEqualTo("rollback");
      assertThat(undo.input().get("step").asInt()).isEqualTo(step);
      assertThat(undo.input().get("instructions").get(0).asText())
          .isEqualTo(r.steps().get(step - 1).rollback());
      engine.sendTaskSuccess(undo.taskToken(), Json.object());
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> engine.describe(started.executionArn()).status() == ExecutionStatus.FAILED);
    Execution failed = engine.describe(started.executionArn());
    assertThat(failed.error()).isEqualTo(RunbookAsl.ROLLED_BACK);
    assertThat(parked).isEmpty();
  }
}
