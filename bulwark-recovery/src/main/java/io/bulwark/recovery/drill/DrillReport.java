package io.bulwark.recovery.drill;

import io.bulwark.kernel.html.Html;
import io.bulwark.kernel.html.SvgChart;
import io.bulwark.recovery.StepRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A drill as a self-contained HTML page (inline SVG and CSS, nothing fetched): a timeline of
 * acknowledged orders and errors per second with the fault and each runbook step marked, the
 * targets against the measured values, and the step table.
 */
public final class DrillReport {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 180;

  private DrillReport() {}

  /** Writes the report of {@code r} to {@code file}. */
  public static void write(Path file, DrillResult r) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, html(r), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report " + file + ": " + e.getMessage(), e);
    }
  }

  /** The page. */
  static String html(DrillResult r) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drill ")
        .append(esc(r.topology()))
        .append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:960px}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;")
        .append("text-align:left}.met{color:#1a7f37}.missed{color:#c0392b;font-weight:bold}")
        .append("</style></head><body>\n");
    h.append("<h1>Drill: ")
        .append(esc(r.topology()))
        .append(", ")
        .append(esc(r.disaster().word()))
        .append("</h1>\n<p>")
        .append(esc(r.strategy()))
        .append(" from ")
        .append(esc(r.fromRegion()))
        .append(" to ")
        .append(esc(r.toRegion()))
        .append("; fault at ")
        .append(esc(r.faultAt().toString()))
        .append("; activation ")
        .append(esc(r.activationStatus()))
        .append(". <span class=\"")
        .append(r.targetsMet() ? "met\">targets met" : "missed\">targets missed")
        .append("</span></p>\n");
    h.append(chart(r));
    h.append("<h2>Targets</h2>\n<table><tr><th></th><th>target</th><th>measured</th></tr>\n");
    String rto =
        r.rtoSeconds().isPresent()
            ? String.format(Locale.ROOT, "%.1f s", r.rtoSeconds().getAsDouble())
            : "not recovered";
    row(h, "RTO", r.targetRtoSeconds() + " s", rto);
    row(
        h,
        "RPO",
        r.targetRpoSeconds() + " s",
        String.format(
            Locale.ROOT,
            "%.1f s (%d of %d acknowledged orders lost)",
            r.rpoSeconds(),
            r.lostIds().size(),
            r.acknowledged()));
    row(
        h,
        "no duplicate order",
        "none",
        r.duplicateIds().isEmpty() ? "none" : String.join(", ", r.duplicateIds()));
    h.append("</table>\n<h2>Runbook steps</h2>\n<table><tr><th>step</th><th>status</th>")
        .append("<th>started (s after fault)</th><th>seconds</th><th>detail</th></tr>\n");
    for (StepRecord s : r.steps()) {
      h.append("<tr><td>")
          .append(esc(s.state()))
          .append("</td><td>")
          .append(esc(s.status()))
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.1f", since(r.faultAt(), s.startedAt())))
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.1f", r.stepSeconds(s)))
          .append("</td><td>")
          .append(esc(s.detail()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n</body></html>\n");
    return h.toString();
  }

  private static String chart(DrillResult r) {
    int seconds = (int) Math.max(1, Math.ceil(since(r.startedAt(), r.endedAt())));
    int[] ok = new int[seconds + 1];
    int[] errors = new int[seconds + 1];
    List<List<Double>> latencies = new ArrayList<>();
    for (int i = 0; i <= seconds; i++) {
      latencies.add(new ArrayList<>());
    }
    for (OrderAttempt a : r.attempts()) {
      int s = (int) Math.max(0, Math.min(seconds, Math.floor(since(r.startedAt(), a.sentAt()))));
      if (a.acknowledged()) {
        ok[s]++;
      } else {
        errors[s]++;
      }
      latencies.get(s).add(since(a.sentAt(), a.answeredAt()) * 1000);
    }
    double[] at = new double[seconds + 1];
    double[] acknowledged = new double[seconds + 1];
    double[] failed = new double[seconds + 1];
    double[] p99 = new double[seconds + 1];
    for (int i = 0; i <= seconds; i++) {
      at[i] = i;
      acknowledged[i] = ok[i];
      failed[i] = errors[i];
      List<Double> l = latencies.get(i);
      p99[i] = Double.NaN;
      if (!l.isEmpty()) {
        l.sort(null);
        p99[i] = l.get((int) Math.ceil(0.99 * l.size()) - 1);
      }
    }
    SvgChart orders =
        marked(SvgChart.of("orders per second", WIDTH, HEIGHT, seconds), r)
            .line("acknowledged/s", "#1a7f37", at, acknowledged)
            .line("errors/s", "#c0392b", at, failed);
    SvgChart latency =
        marked(SvgChart.of("p99 latency (ms)", WIDTH, HEIGHT, seconds), r)
            .line("p99 latency, ms", "#2563eb", at, p99);
    return "<h2>Orders per second</h2>\n"
        + orders.svg()
        + "<h2>p99 latency of the second (ms)</h2>\n"
        + latency.svg()
        + "<p>Orders by the second they were sent (a request that got no answer counts with the"
        + " time it waited); the solid line is the fault, the dashed ones the runbook steps"
        + " (numbered as in the table).</p>\n";
  }

  /** The fault and every runbook step marked on {@code chart}. */
  private static SvgChart marked(SvgChart chart, DrillResult r) {
    chart.marker(since(r.startedAt(), r.faultAt()), "fault", "#000");
    for (StepRecord s : r.steps()) {
      chart.marker(
          since(r.startedAt(), s.startedAt()), s.number().map(String::valueOf).orElse("R"), "#888");
    }
    return chart;
  }

  private static void row(StringBuilder h, String what, String target, String measured) {
    h.append("<tr><td>")
        .append(esc(what))
        .append("</td><td>")
        .append(esc(target))
        .append("</td><td>")
        .append(esc(measured))
        .append("</td></tr>\n");
  }

  private static double since(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  private static String esc(String s) {
    return Html.escape(s);
  }
}
