package io.bulwark.diagnose.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.diagnose.Diagnosis;
import io.bulwark.diagnose.Evidence;
import io.bulwark.diagnose.Frequency;
import io.bulwark.diagnose.Point;
import io.bulwark.diagnose.Series;
import io.bulwark.diagnose.Severity;
import io.bulwark.diagnose.Symptom;
import io.bulwark.diagnose.Telemetry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DiagnosisReportTest {
  static final Instant T0 = Instant.parse("2026-12-06T04:00:00Z");

  @Test
  void withoutARootCauseItSaysSoChartsEachMetricOnceAndEscapesWhatItQuotes() {
    List<Point> points = new ArrayList<>();
    for (int s = 0; s <= 60; s++) {
      points.add(new Point(T0.plusSeconds(s), s < 40 ? 0.2 : 0.9));
    }
    Evidence lag =
        new Evidence(
            "database",
            "pg.replication.lag.seconds",
            "lag <rose> after \"the deploy\"",
            Optional.of(0.2),
            Optional.of(0.9),
            Optional.of(3.1),
            Optional.of(T0.plusSeconds(40)));
    Evidence again =
        new Evidence(
            "database",
            "pg.replication.lag.seconds",
            "still rising",
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    Diagnosis d =
        new Diagnosis(
            new Symptom(
                "reads are stale", Severity.LOW, T0.plusSeconds(45), Frequency.ONCE, List.of()),
            Optional.empty(),
            List.of(),
            List.of(),
            List.of(lag, again, Evidence.fact("shop", "log", "no chart for a fact")),
            List.of(),
            List.of("replication lag per member"));
    String html =
        DiagnosisReport.html(
            d,
            new Telemetry(
                List.of(new Series("database", "pg.replication.lag.seconds", points)),
                List.of(),
                List.of()));
    assertThat(html)
        .contains("needs more investigation")
        .contains("lag &lt;rose&gt; after &quot;the deploy&quot;")
        .contains("no chart for a fact")
        .contains("<li>replication lag per member</li>")
        .contains(">onset</text>")
        .contains(">symptom</text>")
        .doesNotContain("<script")
        .doesNotContain(" src=", "<link");
    assertThat(html.split("<polyline", -1)).as("one chart for the metric").hasSize(2);
  }
}
