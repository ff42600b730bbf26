package io.bulwark.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.kernel.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The reasoning alone, on telemetry built by hand: 20 baseline samples, then 10 since. */
class DiagnoserTest {

  static final Instant T0 = Instant.parse("2026-12-05T07:00:00Z");
  static final Instant SINCE = T0.plusSeconds(20);
  static final double MB = 1024 * 1024;

  final Diagnoser engine = Diagnoser.forServer("http://127.0.0.1:8080");
  final List<Series> series = new ArrayList<>();
  final List<Observation> observations = new ArrayList<>();
  final List<ChangeEvent> changes = new ArrayList<>();
  final Random random = new Random(7);

  @Test
  void blamesTheProcessForCpuThatJumpedAtTheOnset() {
    add("shop", Signals.CPU, i -> i < 20 ? noise(0.05, 0.02) : noise(0.95, 0.05));
    quiet();

    Diagnosis d = diagnose(Frequency.CONSTANT);

    assertThat(d.rootCause()).map(Cause::fault).contains(Fault.CPU_HOG);
    assertThat(d.rootCause().get().component()).isEqualTo("shop");
    assertThat(d.rootCause().get().confidence()).isGreaterThan(0.9);
    assertThat(d.evidence().getFirst().text())
        .startsWith("shop process.cpu.cores:")
        .contains("out of range from " + SINCE);
    assertThat(d.solutions()).extracting(Solution::command).contains("top -H -p 4242");
  }

  @Test
  void takesCpuSpentCollectingGarbageForGcPressureNotAHog() {
    add("shop", Signals.CPU, i -> i < 20 ? noise(0.05, 0.02) : noise(0.9, 0.05));
    add("shop", Signals.GC_PAUSE, i -> i < 20 ? noise(0.002, 0.001) : noise(0.2, 0.03));
    add("shop", Signals.ALLOCATION, i -> i < 20 ? noise(5 * MB, MB) : noise(900 * MB, 50 * MB));
    quiet();

    Diagnosis d = diagnose(Frequency.CONSTANT);

    assertThat(d.rootCause()).map(Cause::fault).contains(Fault.GC_PRESSURE);
    assertThat(d.contributing()).extracting(Cause::fault).containsExactly(Fault.CPU_HOG);
  }

  @Test
  void putsALockedQueryBeforeTheFullPoolItCauses() {
    add("shop", Signals.POOL_USAGE, i -> i < 20 ? noise(0.1, 0.03) : 1.0);
    add("database", Signals.LONGEST_QUERY, i -> i < 20 ? noise(0.01, 0.005) : i - 19.0);
    add("database", Signals.LOCK_WAITERS, i -> i < 20 ? 0 : 3);
    quiet();
    observations.add(
        new Observation(
            SINCE.plusSeconds(5),
            "database",
            "longest-query",
            Map.of(
                "pid",
                "311",
                "seconds",
                "5.0",
                "waitEvent",
                "Lock:relation",
                "blockedBy",
                "299",
                "query",
                "SELECT * FROM inventory_products")));

    Diagnosis d = diagnose(Frequency.CONSTANT);

    assertThat(d.rootCause()).map(Cause::fault).contains(Fault.SLOW_QUERY);
    assertThat(d.rootCause().get().component()).isEqualTo("database");
    assertThat(d.contributing()).extracting(Cause::fault).containsExactly(Fault.POOL_EXHAUSTION);
    assertThat(d.evidence())
        .extracting(Evidence::text)
        .anySatisfy(
            t ->
                assertThat(t)
                    .contains("blocked by pid 299")
                    .endsWith("SELECT * FROM inventory_products"));
    assertThat(d.solutions())
        .extracting(Solution::command)
        .contains(
            "psql -c \"SELECT pg_terminate_backend(299)\"",
            "psql -c \"SELECT pg_cancel_backend(311)\"");
  }

  @Test
  void takesCpuThatRoseWithTheRequestsForLoadNotAHog() {
    add("shop", Signals.CPU, i -> i < 20 ? noise(0.05, 0.02) : noise(0.95, 0.05));
    add("shop", Signals.BUSY_THREADS, i -> i < 20 ? 0 : 4);
    add("shop", Signals.HTTP_RATE, i -> i < 20 ? noise(20, 2) : noise(400, 20));
    quiet();

    Diagnosis d = diagnose(Frequency.CONSTANT);

    assertThat(d.rootCause()).isEmpty();
    assertThat(d.evidence())
        .extracting(Evidence::text)
        .anySatisfy(
            t -> assertThat(t).startsWith("shop http.requests.rate:").contains("more requests"));
  }

  @Test
  void needsMoreInvestigationWhenNothingMoved() {
    add("shop", Signals.CPU, i -> noise(0.05, 0.02));
    quiet();

    Diagnosis d = diagnose(Frequency.CONSTANT);

    assertThat(d.rootCause()).isEmpty();
    assertThat(d.solutions()).isEmpty();
    assertThat(d.collectNext().getFirst()).startsWith("needs more investigation");
    assertThat(d.toJson().get("rootCause")).isNull();
  }

  @Test
  void doesNotBlameWhatWasAlreadyHighBeforeTheSymptom() {
    add("shop", Signals.CPU, i -> i < 12 ? noise(0.05, 0.02) : noise(0.9, 0.05));
    quiet();

    Diagnosis d = diagnose(Frequency.CONSTANT);

    assertThat(d.rootCause()).isEmpty();
    assertThat(d.evidence())
        .extracting(Evidence::text)
        .anySatisfy(t -> assertThat(t).contains("already out of range before the symptom"));
  }

  @Test
  void tellsALeakThatKeepsGrowingFromAHeapThatSteppedUpOnce() {
    add(
        "shop",
        Signals.HEAP_LIVE,
        i -> i < 20 ? noise(80 * MB, 2 * MB) : 80 * MB + (i - 19) * 20 * MB);
    quiet();
    assertThat(diagnose(Frequency.CONSTANT).rootCause())
        .map(Cause::fault)
        .contains(Fault.MEMORY_LEAK);

    series.clear();
    add("shop", Signals.HEAP_LIVE, i -> i < 20 ? noise(80 * MB, 2 * MB) : 250 * MB);
    quiet();
    Diagnosis stepped = diagnose(Frequency.CONSTANT);
    assertThat(stepped.rootCause()).isEmpty();
    assertThat(stepped.evidence())
        .extracting(Evidence::text)
        .anySatisfy(t -> assertThat(t).contains("not growing through the window"));
  }

  @Test
  void judgesALeakOnLiveSetsReadSinceTheOnsetNotOnAStaleOneInflatedByOldGarbage() {
    // the baseline's live set (210 MiB) was read by a young collection with a released leak's
    // garbage still in the old generation; no collection runs after the onset until two readings
    // are asked for at 26 s and 28 s
    add("shop", Signals.HEAP_LIVE, i -> 210 * MB);
    add("shop", Signals.HEAP_LIVE_AGE, i -> i + 5.0);
    quiet();
    Symptom symptom =
        new Symptom("checkout is slow", Severity.HIGH, SINCE, Frequency.CONSTANT, List.of());
    Telemetry stale = new Telemetry(series, observations, changes);
    assertThat(Diagnoser.staleLiveSets(symptom, stale)).containsExactly("shop");
    Diagnosis unjudged = engine.diagnose(symptom, stale);
    assertThat(unjudged.rootCause()).isEmpty();
    assertThat(unjudged.collectNext())
        .anySatisfy(
            n ->
                assertThat(n)
                    .startsWith("shop jvm.heap.live.bytes: no garbage collection since " + SINCE)
                    .contains("memory-leak cannot be judged"));

    series.clear();
    add("shop", Signals.HEAP_LIVE, i -> i < 26 ? 210 * MB : i < 28 ? 140 * MB : 180 * MB);
    add("shop", Signals.HEAP_LIVE_AGE, i -> i < 26 ? i + 5.0 : i < 28 ? i - 26.0 : i - 28.0);
    quiet();
    Telemetry read = new Telemetry(series, observations, changes);
    assertThat(Diagnoser.staleLiveSets(symptom, read)).isEmpty();
    Diagnosis leak = engine.diagnose(symptom, read);
    assertThat(leak.rootCause()).map(Cause::fault).contains(Fault.MEMORY_LEAK);
    assertThat(leak.evidence())
        .extracting(Evidence::text)
        .anySatisfy(
            t ->
                assertThat(t)
                    .contains("180.0 MiB since (latest reading")
                    .contains(
                        "grew 20.0 MiB/s between the collections read at "
                            + T0.plusSeconds(26)
                            + " and "
                            + T0.plusSeconds(28)));

    // the same two readings, flat: collected garbage, not a leak
    series.clear();
    add("shop", Signals.HEAP_LIVE, i -> i < 26 ? 210 * MB : i < 28 ? 140 * MB : 141 * MB);
    add("shop", Signals.HEAP_LIVE_AGE, i -> i < 26 ? i + 5.0 : i < 28 ? i - 26.0 : i - 28.0);
    quiet();
    assertThat(engine.diagnose(symptom, new Telemetry(series, observations, changes)).ranked())
        .filteredOn(c -> c.fault() == Fault.MEMORY_LEAK)
        .allSatisfy(c -> assertThat(c.confidence()).isLessThan(0.05));
  }

  @Test
  void suspectsADeployOnlyWhenThereWasOne() {
    add("shop", Signals.HTTP_ERRORS, i -> i < 20 ? 0 : noise(5, 0.5));
    quiet();
    Diagnosis without = diagnose(Frequency.CONSTANT);
    assertThat(without.ranked()).extracting(Cause::fault).doesNotContain(Fault.BAD_DEPLOY);
    assertThat(without.rootCause()).isEmpty();

    changes.add(
        new ChangeEvent(
            "deploy-7",
            ChangeEvent.Kind.DEPLOY,
            "shop",
            SINCE.minusSeconds(2),
            Optional.empty(),
            "refresh to build 7"));
    Diagnosis with = diagnose(Frequency.CONSTANT);
    assertThat(with.rootCause()).map(Cause::fault).contains(Fault.BAD_DEPLOY);
    assertThat(with.evidence())
        .extracting(Evidence::text)
        .anySatisfy(t -> assertThat(t).contains("refresh to build 7"));
  }

  @Test
  void findsAnIntermittentSymptomThatTheMedianHides() {
    add("shop", Signals.CPU, i -> i < 20 ? noise(0.05, 0.02) : (i % 3 == 0 ? 1.5 : 0.05));
    quiet();

    assertThat(diagnose(Frequency.CONSTANT).rootCause()).isEmpty();
    assertThat(diagnose(Frequency.INTERMITTENT).rootCause())
        .map(Cause::fault)
        .contains(Fault.CPU_HOG);
  }

  @Test
  void namesTheSamplesItLacksInsteadOfGuessing() {
    series.add(
        new Series(
            "shop",
            Signals.CPU,
            List.of(new Point(SINCE.minusSeconds(1), 0.1), new Point(SINCE.plusSeconds(1), 1.0))));

    Diagnosis d = diagnose(Frequency.CONSTANT);

    assertThat(d.rootCause()).isEmpty();
    assertThat(d.collectNext())
        .anySatisfy(n -> assertThat(n).contains("too few samples to compare (baseline 1"));
  }

  @Test
  void printsTheContractsFieldsFirst() {
    add("shop", Signals.CPU, i -> i < 20 ? noise(0.05, 0.02) : noise(0.95, 0.05));
    quiet();

    var json = Json.parse(Json.write(diagnose(Frequency.CONSTANT).toJson()));

    assertThat(json.fieldNames())
        .toIterable()
        .startsWith("rootCause", "ranked", "evidence", "solutions");
    assertThat(json.get("ranked").get(0).fieldNames())
        .toIterable()
        .containsExactly("component", "fault", "confidence");
    assertThat(json.get("rootCause").get("fault").asText()).isEqualTo("cpu-hog");
    assertThat(json.get("solutions").get(0).fieldNames())
        .toIterable()
        .startsWith("priority", "command", "risk");
  }

  /** The other shop signals, flat, and the process's pid. */
  private void quiet() {
    for (String metric : List.of(Signals.CPU, Signals.GC_PAUSE, Signals.POOL_USAGE)) {
      if (series.stream().noneMatch(s -> s.metric().equals(metric))) {
        add("shop", metric, i -> noise(0.05, 0.01));
      }
    }
    observations.add(
        new Observation(T0, "shop", "process", Map.of("pid", "4242", "dir", "/tmp/shop")));
  }

  private Diagnosis diagnose(Frequency frequency) {
    return engine.diagnose(
        new Symptom("checkout is slow", Severity.HIGH, SINCE, frequency, List.of()),
        new Telemetry(series, observations, changes));
  }

  private void add(String component, String metric, IntToDoubleFunction value) {
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      points.add(new Point(T0.plusSeconds(i), value.applyAsDouble(i)));
    }
    series.add(new Series(component, metric, points));
  }

  private double noise(double mean, double sd) {
    return mean + random.nextGaussian() * sd;
  }
}
