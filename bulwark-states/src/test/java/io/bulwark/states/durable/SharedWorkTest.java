package io.bulwark.states.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.kernel.Json;
import io.bulwark.testkit.PostgresExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two engines on one database share the executions; every task attempt runs exactly once. */
class SharedWorkTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("states");

  @Test
  void twoEnginesShareTheWorkWithoutRunningAnyStepTwice() {
    Map<String, String> ranBy = new ConcurrentHashMap<>();
    Map<String, Integer> runs = new ConcurrentHashMap<>();
    Engine.Builder a = Engine.builder(pg.database()).workers(3).pollInterval(Duration.ofMillis(10));
    Engine.Builder b = Engine.builder(pg.database()).workers(3).pollInterval(Duration.ofMillis(10));
    for (String[] engine : new String[][] {{"a"}, {"b"}}) {
      (engine[0].equals("a") ? a : b)
          .task(
              "work",
              r -> {
                ranBy.put(r.idempotencyToken(), engine[0]);
                runs.merge(r.idempotencyToken(), 1, Integer::sum);
                return r.input();
              });
    }
    try (Engine first = a.build();
        Engine second = b.build()) {
      first.createStateMachine(
          "shared",
          "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"work\","
              + "\"Next\":\"B\"},\"B\":{\"Type\":\"Task\",\"Resource\":\"work\",\"End\":true}}}");
      for (int i = 0; i < 200; i++) {
        first.start("shared", "s" + i, Json.parse("{\"i\":" + i + "}"));
      }
      first.startWorkers();
      second.startWorkers();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> first.list(ExecutionStatus.SUCCEEDED, "shared", 1000).size() == 200);
    }
    assertThat(runs).hasSize(400);
    assertThat(runs.values()).containsOnly(1);
    assertThat(ranBy.values()).contains("a", "b");
  }

  @Test
  void aTaskLongerThanTheLeaseKeepsItsClaimAndRunsOnce() {
    Map<String, Integer> runs = new ConcurrentHashMap<>();
    Engine.Builder builder =
        Engine.builder(pg.database())
            .workers(2)
            .lease(Duration.ofMillis(300))
            .pollInterval(Duration.ofMillis(10))
            .task(
                "long",
                r -> {
                  runs.merge(r.idempotencyToken(), 1, Integer::sum);
                  try {
                    Thread.sleep(1_500); // five leases long
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return r.input();
                });
    try (Engine first = builder.build();
        Engine second = builder.build()) {
      first.createStateMachine(
          "long",
          "{\"StartAt\":\"L\",\"States\":{\"L\":{\"Type\":\"Task\",\"Resource\":\"long\","
              + "\"End\":true}}}");
      Execution e = first.start("long", "l1", Json.object());
      first.startWorkers();
      second.startWorkers();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> first.describe(e.executionArn()).status() == ExecutionStatus.SUCCEEDED);
    }
    assertThat(runs.values()).containsExactly(1);
  }
}
