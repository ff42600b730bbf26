package io.bulwark.diagnose.report;

import io.bulwark.diagnose.Cause;
import io.bulwark.diagnose.Diagnosis;
import io.bulwark.diagnose.Evidence;
import io.bulwark.diagnose.Point;
import io.bulwark.diagnose.Series;
import io.bulwark.diagnose.Solution;
import io.bulwark.diagnose.Telemetry;
import io.bulwark.kernel.html.Html;
import io.bulwark.kernel.html.SvgChart;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A diagnosis as one self-contained HTML page (inline SVG and CSS, no script, no link): the
 * symptom, the root cause or "needs more investigation", the ranked hypotheses, each piece of
 * evidence with its metric charted over the whole window (the symptom's start and the evidence's
 * onset marked), the solutions with their commands, and what to collect next.
 */
public final class DiagnosisReport {
  private static final int WIDTH = 760;
  private static final int HEIGHT = 170;

  private DiagnosisReport() {}

  /** The page for {@code d}, charting what {@code t} holds of each piece of evidence. */
  public static String html(Diagnosis d, Telemetry t) {
    StringBuilder h = new StringBuilder();
    h.append(
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Bulwark diagnosis</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:24px;max-width:820px;color:#1f2328}
        table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:4px 8px;
        text-align:left;font-size:14px}code{background:#f6f8fa;padding:1px 4px}
        .cause{font-size:20px;margin:8px 0}.none{color:#9a6700}.legend{font-size:12px;color:#57606a}
        </style></head><body>
        """);
    h.append("<h1>Diagnosis: ").append(Html.escape(d.symptom().description())).append("</h1>\n");
    h.append(
        String.format(
            Locale.ROOT,
            "<p>%s, %s, since %s%s</p>%n",
            d.symptom().severity(),
            d.symptom().frequency().name().toLowerCase(Locale.ROOT),
            Html.escape(d.symptom().since().toString()),
            d.symptom().components().isEmpty()
                ? ""
                : "; seen on " + Html.escape(String.join(", ", d.symptom().components()))));
    if (d.rootCause().isPresent()) {
      Cause c = d.rootCause().get();
      h.append(
          String.format(
              Locale.ROOT,
              "<p class=\"cause\">Root cause: <b>%s</b> on <b>%s</b> (confidence %.2f)</p>%n",
              Html.escape(c.fault().slug()),
              Html.escape(c.component()),
              c.confidence()));
    } else {
      h.append(
          "<p class=\"cause none\">No hypothesis cleared the bar: needs more investigation</p>\n");
    }
    if (!d.contributing().isEmpty()) {
      h.append("<p>Contributing: ");
      h.append(
          String.join(
              ", ",
              d.contributing().stream()
                  .map(c -> Html.escape(c.fault().slug() + " on " + c.component()))
                  .toList()));
      h.append("</p>\n");
    }
    h.append("<h2>Hypotheses</h2>\n<table><tr><th>confidence</th><th>fault</th><th>component</th>");
    h.append("</tr>\n");
    for (Cause c : d.ranked().stream().limit(8).toList()) {
      h.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%.3f</td><td>%s</td><td>%s</td></tr>%n",
              c.confidence(),
              Html.escape(c.fault().slug()),
              Html.escape(c.component())));
    }
    h.append("</table>\n");
    evidence(h, d, t);
    if (!d.solutions().isEmpty()) {
      h.append("<h2>What to do</h2>\n<table><tr><th>priority</th><th>risk</th><th>what</th>");
      h.append("<th>command</th></tr>\n");
      for (Solution s : d.solutions()) {
        h.append("<tr><td>P")
            .append(s.priority())
            .append("</td><td>")
            .append(s.risk().name().toLowerCase(Locale.ROOT))
            .append("</td><td>")
            .append(Html.escape(s.description()))
            .append("</td><td><code>")
            .append(Html.escape(s.command()))
            .append("</code></td></tr>\n");
      }
      h.append("</table>\n");
    }
    if (!d.collectNext().isEmpty()) {
      h.append("<h2>Collect next</h2>\n<ul>\n");
      d.collectNext().forEach(n -> h.append("<li>").append(Html.escape(n)).append("</li>\n"));
      h.append("</ul>\n");
    }
    return h.append("</body></html>\n").toString();
  }

  /** Each piece of evidence, with a chart of its metric once (the first evidence on it). */
  private static void evidence(StringBuilder h, Diagnosis d, Telemetry t) {
    if (d.evidence().isEmpty()) {
      return;
    }
    Instant[] window = window(t, d.symptom().since());
    Instant start = window[0];
    Instant end = window[1];
    double seconds = Math.max(1, Duration.between(start, end).toMillis() / 1000.0);
    h.append("<h2>Evidence</h2>\n");
    Set<String> charted = new LinkedHashSet<>();
    for (Evidence e : d.evidence()) {
      h.append("<p>").append(Html.escape(e.text())).append("</p>\n");
      Optional<Series> series = t.series(e.component(), e.metric());
      if (series.isEmpty() || !charted.add(e.component() + "/" + e.metric())) {
        continue;
      }
      List<Point> points = series.get().points();
      double[] at = new double[points.size()];
      double[] values = new double[points.size()];
      for (int i = 0; i < points.size(); i++) {
        at[i] = Duration.between(start, points.get(i).at()).toMillis() / 1000.0;
        values[i] = points.get(i).value();
      }
      SvgChart chart =
          SvgChart.of(e.component() + " " + e.metric(), WIDTH, HEIGHT, seconds)
              .band(offset(start, d.symptom().since()), seconds, "#fdf0e0")
              .marker(offset(start, d.symptom().since()), "symptom", "#9a6700")
              .line(e.component() + " " + e.metric(), "#2563eb", at, values);
      e.onset().ifPresent(o -> chart.marker(offset(start, o), "onset", "#c0392b"));
      h.append(chart.svg());
    }
  }

  private static double offset(Instant start, Instant at) {
    return Duration.between(start, at).toMillis() / 1000.0;
  }

  /** The first and last instants any series of {@code t} has, or {@code fallback} for both. */
  private static Instant[] window(Telemetry t, Instant fallback) {
    Instant first = null;
    Instant last = null;
    for (Series series : t.series()) {
      for (Point p : series.points()) {
        first = first == null || p.at().isBefore(first) ? p.at() : first;
        last = last == null || p.at().isAfter(last) ? p.at() : last;
      }
    }
    return first == null ? new Instant[] {fallback, fallback} : new Instant[] {first, last};
  }
}
