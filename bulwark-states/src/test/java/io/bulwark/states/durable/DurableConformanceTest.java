package io.bulwark.states.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.states.StatesError;
import io.bulwark.testkit.FastClock;
import io.bulwark.testkit.PostgresExtension;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs every conformance case through the durable engine at once (each a separate execution on
 * PostgreSQL, timers on a fast clock) and expects the results the in-memory run gives.
 */
class DurableConformanceTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("states");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Map<String, JsonNode> CASES = new LinkedHashMap<>();
  private static Engine engine;

  @BeforeAll
  static void startEngine() throws IOException, URISyntaxException {
    Path dir = Path.of(DurableConformanceTest.class.getResource("/conformance").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        String name =
            p.getFileName().toString().replace(".json", "").replaceAll("[^A-Za-z0-9-]", "-");
        CASES.put(name, MAPPER.readTree(Files.readString(p)));
      }
    }
    engine =
        Engine.builder(pg.database())
            .anyTask(DurableConformanceTest::mock)
            .clock(new FastClock(1000))
            .lease(Duration.ofHours(2))
            .pollInterval(Duration.ofMillis(20))
            .workers(4)
            .build()
            .startWorkers();
  }

  @AfterAll
  static void stopEngine() {
    engine.close();
  }

  private static JsonNode mock(TaskRequest r) {
    String machine = r.executionArn().split(":")[6];
    JsonNode mocks = CASES.get(machine).path("mocks");
    JsonNode response = null;
    Iterator<String> keys = mocks.path(r.stateName()).fieldNames();
    while (keys.hasNext()) {
      String key = keys.next();
      String[] range = key.split("-");
      int from = Integer.parseInt(range[0]);
      int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
      if (r.attempt() >= from && r.attempt() <= to) {
        response = mocks.get(r.stateName()).get(key);
      }
    }
    if (response == null) {
      throw new StatesError("States.TaskFailed", "no mock");
    }
    if (response.has("Throw")) {
      throw new StatesError(
          response.get("Throw").path("Error").asText(null),
          response.get("Throw").path("Cause").asText(null));
    }
    return response.get("Return");
  }

  @Test
  void everyConformanceCaseEndsDurablyAsStepFunctionsDocuments() {
    List<String> arns = new ArrayList<>();
    for (Map.Entry<String, JsonNode> c : CASES.entrySet()) {
      engine.createStateMachine(c.getKey(), c.getValue().get("definition").toString());
      arns.add(engine.start(c.getKey(), "run", c.getValue().path("input")).executionArn());
    }
    assertThat(arns).hasSizeGreaterThanOrEqualTo(165);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> engine.list(ExecutionStatus.RUNNING, null, 1000).isEmpty());
    List<String> mismatches = new ArrayList<>();
    for (String arn : arns) {
      Execution e = engine.describe(arn);
      JsonNode expected = CASES.get(e.stateMachineName()).get("expected");
      ObjectNode actual = MAPPER.createObjectNode();
      actual.put("status", e.status().name());
      if (e.status() == ExecutionStatus.SUCCEEDED) {
        actual.set("output", e.output());
      } else {
        actual.put("error", e.error());
        if (expected.has("cause")) {
          actual.put("cause", e.cause());
        }
      }
      if (!actual.equals(expected)) {
        mismatches.add(e.stateMachineName() + ": expected " + expected + " but was " + actual);
      }
    }
    assertThat(mismatches).isEmpty();
  }
}
