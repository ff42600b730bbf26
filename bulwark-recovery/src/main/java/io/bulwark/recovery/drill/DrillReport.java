package io.bulwark.recovery.drill;

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
  private static final int HEIGHT = 260;
  private static final int LEFT = 40;
  private static final int BOTTOM = 30;
  private static final int TOP = 20;

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
    int max = 1;
    double maxP99 = 1;
    int[] p99 = new int[seconds + 1];
    for (int i = 0; i <= seconds; i++) {
      max = Math.max(max, Math.max(ok[i], errors[i]));
      List<Double> l = latencies.get(i);
      if (!l.isEmpty()) {
        l.sort(null);
        p99[i] = (int) Math.round(l.get((int) Math.ceil(0.99 * l.size()) - 1));
        maxP99 = Math.max(maxP99, p99[i]);
      }
    }
    double xScale = (WIDTH - LEFT - 10) / (double) seconds;
    double yScale = (HEIGHT - TOP - BOTTOM) / (double) max;
    StringBuilder svg = new StringBuilder();
    svg.append("<h2>Orders per second</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"orders per second\">\n");
    int baseY = HEIGHT - BOTTOM;
    svg.append(line(LEFT, baseY, WIDTH - 10, baseY, "#333", ""));
    svg.append(line(LEFT, TOP, LEFT, baseY, "#333", ""));
    svg.append(text(4, TOP + 4, Integer.toString(max), "#333"));
    svg.append(text(LEFT, HEIGHT - 8, "0 s", "#333"));
    svg.append(text(WIDTH - 50, HEIGHT - 8, seconds + " s", "#333"));
    svg.append(polyline(ok, xScale, yScale, baseY, "#1a7f37"));
    svg.append(polyline(errors, xScale, yScale, baseY, "#c0392b"));
    // p99 on its own scale, labelled on the right
    svg.append(polyline(p99, xScale, (HEIGHT - TOP - BOTTOM) / maxP99, baseY, "#2563eb"));
    svg.append(text(WIDTH - 60, TOP + 4, Math.round(maxP99) + " ms", "#2563eb"));
    double faultX = LEFT + since(r.startedAt(), r.faultAt()) * xScale;
    svg.append(line(faultX, TOP, faultX, baseY, "#000", ""));
    svg.append(text(faultX + 3, TOP + 10, "fault", "#000"));
    int row = 0;
    for (StepRecord s : r.steps()) {
      double x = LEFT + since(r.startedAt(), s.startedAt()) * xScale;
      svg.append(line(x, TOP + 14, x, baseY, "#888", " stroke-dasharray=\"3,3\""));
      svg.append(
          text(
              x + 2,
              TOP + 24 + 11 * (row++ % 12),
              s.number().map(String::valueOf).orElse("R"),
              "#555"));
    }
    svg.append("</svg>\n<p>Orders by the second they were sent: ")
        .append("<span style=\"color:#1a7f37\">acknowledged/s</span>, ")
        .append("<span style=\"color:#c0392b\">errors/s</span> (left scale), ")
        .append("<span style=\"color:#2563eb\">p99 latency</span> (right scale, ms; a request")
        .append(" that got no answer counts with the time it waited); ")
        .append("the black line is the fault, ")
        .append("the dashed ones the runbook steps (numbered as in the table).</p>\n");
    return svg.toString();
  }

  private static String polyline(
      int[] values, double xScale, double yScale, int baseY, String color) {
    StringBuilder p =
        new StringBuilder("<polyline fill=\"none\" stroke=\"" + color + "\" points=\"");
    for (int i = 0; i < values.length; i++) {
      p.append(
          String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + i * xScale, baseY - values[i] * yScale));
    }
    return p.append("\"/>\n").toString();
  }

  private static String line(
      double x1, double y1, double x2, double y2, String color, String extra) {
    return String.format(
        Locale.ROOT,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n",
        x1,
        y1,
        x2,
        y2,
        color,
        extra);
  }

  private static String text(double x, double y, String s, String color) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">%s</text>%n",
        x,
        y,
        color,
        esc(s));
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
    return s == null
        ? ""
        : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
