package io.bulwark.diagnose.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.diagnose.Fault;
import io.bulwark.diagnose.Point;
import io.bulwark.diagnose.Series;
import io.bulwark.diagnose.Signals;
import io.bulwark.diagnose.Telemetry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BaroTest {

  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

  @Test
  void findsWhereAStepInANoisySeriesBegins() {
    double[] x = noisy(new Random(1), 40, 0.5, 0.05);
    for (int i = 25; i < 40; i++) {
      x[i] += 1.5;
    }

    assertThat(Baro.changePoint(x)).hasValue(25);
  }

  @Test
  void findsNoChangeInAStationarySeriesOrALoneOutlierAtTheEnd() {
    assertThat(Baro.changePoint(noisy(new Random(2), 40, 10, 1))).isEmpty();
    double[] spike = noisy(new Random(3), 40, 10, 1);
    spike[39] = 100;
    assertThat(Baro.changePoint(spike)).isEmpty();
  }

  @Test
  void scoresByDistanceFromTheMedianInInterquartileRanges() {
    assertThat(Baro.score(new double[] {1, 2, 3, 4, 5}, new double[] {3, 7, -1})).isEqualTo(2.0);
    // a flat baseline has an IQR of 0, taken as 1
    assertThat(Baro.score(new double[] {4, 4, 4, 4}, new double[] {4.5, 6})).isEqualTo(2.0);
  }

  @Test
  void ranksTheComponentAndFaultWhoseMetricLeftItsRangeMostAfterTheOnset() {
    Random r = new Random(4);
    double[] cpu = noisy(r, 40, 0.3, 0.05);
    double[] longest = noisy(r, 40, 0.01, 0.005);
    double[] latency = noisy(r, 40, 0.02, 0.002);
    for (int i = 28; i < 40; i++) {
      longest[i] += 4 + (i - 28);
      latency[i] += 400; // HTTP is the symptom, never a cause
      cpu[i] += 0.02;
    }
    Telemetry t =
        new Telemetry(
            List.of(
                series("shop", Signals.CPU, cpu),
                series("shop", Signals.HTTP_LATENCY, latency),
                series("database", Signals.LONGEST_QUERY, longest),
                series("payment-network", Signals.DEPENDENCY_ERRORS, new double[40])),
            List.of(),
            List.of());

    List<Baro.Suspect> ranked = Baro.rank(t);

    assertThat(ranked.getFirst().component()).isEqualTo("database");
    assertThat(ranked.getFirst().fault()).isEqualTo(Fault.SLOW_QUERY);
    assertThat(ranked.getFirst().metric()).isEqualTo(Signals.LONGEST_QUERY);
    assertThat(ranked).extracting(Baro.Suspect::metric).doesNotContain(Signals.HTTP_LATENCY);
    assertThat(ranked)
        .extracting(Baro.Suspect::fault)
        .containsExactly(Fault.SLOW_QUERY, Fault.CPU_HOG, Fault.DEPENDENCY_DOWN);
  }

  @Test
  void namesEachSuspectOnceWhateverNumberOfItsMetricsMoved() {
    Random r = new Random(5);
    double[] cpu = noisy(r, 30, 0.3, 0.05);
    double[] busy = noisy(r, 30, 1, 0.2);
    for (int i = 20; i < 30; i++) {
      cpu[i] += 1.5;
      busy[i] += 2;
    }
    Telemetry t =
        new Telemetry(
            List.of(series("shop", Signals.CPU, cpu), series("shop", Signals.BUSY_THREADS, busy)),
            List.of(),
            List.of());

    assertThat(Baro.rank(t))
        .singleElement()
        .satisfies(s -> assertThat(s.fault()).isEqualTo(Fault.CPU_HOG));
  }

  private static double[] noisy(Random r, int n, double mean, double sd) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = mean + sd * r.nextGaussian();
    }
    return x;
  }

  private static Series series(String component, String metric, double[] values) {
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      points.add(new Point(T0.plusSeconds(i), values[i]));
    }
    return new Series(component, metric, points);
  }
}
