package io.bulwark.fleet.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.fleet.load.LoadResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioResultTest {
  static final LoadResult LOAD =
      new LoadResult(
          400,
          400,
          0,
          1.5,
          42.25,
          80,
          Duration.ofSeconds(2),
          Map.of("zone-a", 200L, "zone-b", 200L),
          List.of());

  static ScenarioOptions bound(Duration p99) {
    return new ScenarioOptions(Duration.ofSeconds(1), 10, line -> {}, p99, load -> {});
  }

  @Test
  void printsFactsAsTextNotAsJavaMaps() {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("served_by_zone", new java.util.TreeMap<>(LOAD.byLabel()));
    facts.put("split_pct", Map.of("aws", 50.0));
    facts.put("replacement", "i-2 in zone-a");
    String text =
        new ScenarioResult("instance-crash", "claim", true, LOAD, facts, List.of()).text();
    assertThat(text)
        .isEqualTo(
            """
            scenario instance-crash: PASSED
            claim:      claim
            requests:   400 sent, 400 succeeded, 0 failed (200/s)
            latency:    p50 1.5 ms, p99 42.3 ms, max 80.0 ms
            served by zone: zone-a 200, zone-b 200
            split pct:  aws 50
            replacement: i-2 in zone-a
            """);
  }

  @Test
  void aP99OverTheStatedBoundIsAViolationAndCannotPass() {
    List<String> violations = new ArrayList<>();
    Runs.loadHeld(LOAD, bound(Duration.ofMillis(50)), violations);
    assertThat(violations).isEmpty();
    Runs.loadHeld(LOAD, bound(Duration.ofMillis(40)), violations);
    assertThat(violations).containsExactly("p99 latency 42.3 ms exceeds the bound of 40 ms");
    assertThatThrownBy(
            () -> new ScenarioResult("weights", "claim", true, LOAD, Map.of(), violations))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new ScenarioResult("weights", "claim", false, LOAD, Map.of(), violations).text())
        .startsWith("scenario weights: FAILED\n")
        .contains("violated:   p99 latency 42.3 ms exceeds the bound of 40 ms\n");
  }

  @Test
  void anInterruptedRunReportsItsFiguresSoFarAndDoesNotPass() {
    ScenarioResult r = ScenarioResult.interrupted(new Weights(), LOAD);
    assertThat(r.passed()).isFalse();
    assertThat(r.text())
        .startsWith("scenario weights: FAILED\n")
        .contains("requests:   400 sent, 400 succeeded, 0 failed")
        .contains("violated:   interrupted before the scenario ended");
  }
}
