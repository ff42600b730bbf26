package io.bulwark.recovery.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.recovery.StepRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a drill's measures become a verdict, a JSON object, a history line and a report. */
class DrillResultTest {
  private static final Instant T0 = Instant.parse("2026-12-06T03:00:00Z");

  @TempDir Path tmp;

  private static DrillResult result(OptionalDouble rto, double rpo, List<String> lost) {
    List<OrderAttempt> attempts =
        List.of(
            new OrderAttempt("o-1", T0, T0.plusMillis(20), 201, Optional.of("us-east-1")),
            new OrderAttempt(
                "o-2", T0.plusSeconds(4), T0.plusMillis(4020), 201, Optional.of("us-east-1")),
            new OrderAttempt("o-3", T0.plusSeconds(6), T0.plusSeconds(7), 502, Optional.empty()),
            new OrderAttempt(
                "o-4", T0.plusSeconds(15), T0.plusMillis(15030), 201, Optional.of("us-west-2")));
    return new DrillResult(
        "shop",
        Disaster.REGION_LOSS,
        "warm-standby",
        "us-east-1",
        "us-west-2",
        T0,
        T0.plusSeconds(5),
        T0.plusSeconds(16),
        rto,
        rpo,
        60,
        1,
        "SUCCEEDED",
        null,
        List.of(
            new StepRecord("1 detect", "SUCCEEDED", T0.plusSeconds(5), 0.9, 1, "no healthy target"),
            new StepRecord(
                "3 promote-replica", "SUCCEEDED", T0.plusSeconds(7), 2.1, 1, "dr-1 <ok>")),
        List.of("instance web-1", "database member primary"),
        attempts,
        lost,
        List.of());
  }

  @Test
  void targetsAreMetOnlyWhenBothMeasuresAreWithinThem() {
    assertThat(result(OptionalDouble.of(10.03), 0, List.of()).targetsMet()).isTrue();
    assertThat(result(OptionalDouble.of(10.03), 0, List.of()).passed()).isTrue();
    assertThat(result(OptionalDouble.of(61), 0, List.of()).targetsMet()).isFalse();
    assertThat(result(OptionalDouble.of(10), 1.5, List.of("o-2")).targetsMet()).isFalse();
    assertThat(result(OptionalDouble.empty(), 0, List.of()).targetsMet()).isFalse();
  }

  @Test
  void theJsonCarriesTheContractFields() {
    JsonNode j =
        Json.parse(Json.write(result(OptionalDouble.of(10.03), 0.98, List.of("o-2")).toJson()));
    assertThat(j.path("disaster").asText()).isEqualTo("region-loss");
    assertThat(j.path("strategy").asText()).isEqualTo("warm-standby");
    assertThat(j.path("rtoSeconds").asDouble()).isEqualTo(10.03);
    assertThat(j.path("rpoSeconds").asDouble()).isEqualTo(0.98);
    assertThat(j.path("acknowledged").asLong()).isEqualTo(3);
    assertThat(j.path("lostAcknowledged").asLong()).isEqualTo(1);
    assertThat(j.path("lostIds").get(0).asText()).isEqualTo("o-2");
    assertThat(j.path("targets").path("rtoSeconds").asLong()).isEqualTo(60);
    assertThat(j.path("targets").path("rpoSeconds").asLong()).isEqualTo(1);
    assertThat(j.path("targetsMet").asBoolean()).isTrue();
    assertThat(j.path("steps").get(1).path("name").asText()).isEqualTo("3 promote-replica");
    assertThat(j.path("steps").get(1).path("seconds").asDouble()).isEqualTo(2.1);
    assertThat(j.path("steps").get(1).path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(
            result(OptionalDouble.empty(), 0, List.of())
                .stepSeconds(
                    new StepRecord(
                        "5 scale-to-production", "RUNNING", T0.plusSeconds(8), 0, 1, "")))
        .as("a step still running when the drill ended counts until then")
        .isEqualTo(8.0);
    JsonNode unrecovered =
        Json.parse(Json.write(result(OptionalDouble.empty(), 0, List.of()).toJson()));
    assertThat(unrecovered.path("rtoSeconds").isNull()).isTrue();
    assertThat(unrecovered.path("targetsMet").asBoolean()).isFalse();
  }

  @Test
  void theHistoryKeepsEveryDrillOldestFirst() throws Exception {
    DrillHistory history = DrillHistory.in(tmp);
    history.append(result(OptionalDouble.of(12), 0, List.of()));
    history.append(result(OptionalDouble.of(70), 0, List.of()));
    Files.writeString(
        history.dir("shop").resolve(DrillHistory.FILE),
        "{\"date\":\"torn",
        java.nio.file.StandardOpenOption.APPEND);
    List<JsonNode> drills = history.read(null);
    assertThat(drills).extracting(d -> d.path("rtoSeconds").asDouble()).containsExactly(12.0, 70.0);
    assertThat(drills)
        .extracting(d -> d.path("targetsMet").asBoolean())
        .containsExactly(true, false);
    assertThat(history.read("other")).isEmpty();
  }

  @Test
  void theReportIsOnePageWithTheTimelineFaultStepsAndTargets() {
    String html = DrillReport.html(result(OptionalDouble.of(10.03), 0.98, List.of("o-2")));
    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<svg")
        .contains(">fault<")
        .contains("3 promote-replica")
        .contains("dr-1 &lt;ok&gt;")
        .contains("10.0 s")
        .contains("1 of 3 acknowledged orders lost")
        .contains("p99 latency")
        .doesNotContain("<script")
        .doesNotContain("href=");
  }

  @Test
  void theLossIsTheAcknowledgedOrdersMissingAndTheWindowBeforeTheFault() {
    List<OrderAttempt> attempts =
        List.of(
            new OrderAttempt("o-1", T0, T0.plusMillis(100), 201, Optional.of("us-east-1")),
            new OrderAttempt("o-2", T0, T0.plusMillis(4200), 201, Optional.of("us-east-1")),
            new OrderAttempt("o-3", T0, T0.plusMillis(4700), 201, Optional.of("us-east-1")),
            new OrderAttempt("o-4", T0, T0.plusMillis(4800), 503, Optional.of("us-east-1")),
            new OrderAttempt("o-5", T0, T0.plusSeconds(9), 201, Optional.of("us-west-2")));
    Instant fault = T0.plusSeconds(5);

    Drill.Loss loss = Drill.Loss.of(attempts, java.util.Set.of("o-1", "o-5"), fault);
    assertThat(loss.ids()).containsExactly("o-2", "o-3");
    assertThat(loss.windowSeconds()).isEqualTo(0.8);

    Drill.Loss none = Drill.Loss.of(attempts, java.util.Set.of("o-1", "o-2", "o-3", "o-5"), fault);
    assertThat(none.ids()).isEmpty();
    assertThat(none.windowSeconds()).isZero();
  }
}
