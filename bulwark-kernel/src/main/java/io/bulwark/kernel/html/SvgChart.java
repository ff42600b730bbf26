package io.bulwark.kernel.html;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A line chart over time as inline SVG, for reports that must open without a network or a script:
 * series as polylines on a shared y axis from 0 to a round ceiling, shaded bands (a peak, a fault)
 * and labelled vertical markers (an onset, a step), time in seconds from the chart's start. Values
 * that are not finite are skipped. Not thread-safe; build one chart per report.
 */
public final class SvgChart {
  private static final int LEFT = 56;
  private static final int TOP = 12;
  private static final int BOTTOM = 22;
  private static final int RIGHT = 12;

  private record Line(String name, String colour, double[] t, double[] v) {}

  private record Band(double from, double to, String fill) {}

  private record Marker(double at, String label, String colour) {}

  private final String title;
  private final int width;
  private final int height;
  private final double seconds;
  private final List<Line> lines = new ArrayList<>();
  private final List<Band> bands = new ArrayList<>();
  private final List<Marker> markers = new ArrayList<>();

  private SvgChart(String title, int width, int height, double seconds) {
    this.title = Objects.requireNonNull(title, "title");
    this.width = width;
    this.height = height;
    this.seconds = Math.max(1e-9, seconds);
  }

  /** A {@code width} x {@code height} chart of the first {@code seconds} seconds. */
  public static SvgChart of(String title, int width, int height, double seconds) {
    if (width < 100 || height < 60) {
      throw new IllegalArgumentException("a chart needs at least 100 x 60 pixels");
    }
    return new SvgChart(title, width, height, seconds);
  }

  /** Adds a series: value {@code v[i]} at {@code t[i]} seconds from the start. */
  public SvgChart line(String name, String colour, double[] t, double[] v) {
    if (t.length != v.length) {
      throw new IllegalArgumentException(
          "series " + name + " has " + t.length + " times but " + v.length + " values");
    }
    lines.add(new Line(name, colour, t.clone(), v.clone()));
    return this;
  }

  /** Shades the time from {@code from} to {@code to} seconds. */
  public SvgChart band(double from, double to, String fill) {
    bands.add(new Band(from, to, fill));
    return this;
  }

  /** Draws a vertical line at {@code at} seconds, labelled at its top. */
  public SvgChart marker(double at, String label, String colour) {
    markers.add(new Marker(at, label, colour));
    return this;
  }

  /** The chart as one {@code <svg>} element, with a legend of the series under it. */
  public String svg() {
    double max = 0;
    for (Line l : lines) {
      for (double x : l.v) {
        if (Double.isFinite(x)) {
          max = Math.max(max, x);
        }
      }
    }
    double top = niceCeiling(max);
    int plotW = width - LEFT - RIGHT;
    int plotH = height - TOP - BOTTOM;
    StringBuilder s = new StringBuilder();
    s.append(
        fmt(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\""
                + " aria-label=\"%s\">%n",
            width, height, Html.escape(title)));
    for (Band b : bands) {
      double x1 = x(b.from, plotW);
      double x2 = x(b.to, plotW);
      s.append(
          fmt(
              "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
              x1, TOP, Math.max(0, x2 - x1), plotH, Html.escape(b.fill)));
    }
    s.append(
        fmt(
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n",
            LEFT, TOP, LEFT, TOP + plotH, LEFT, TOP + plotH, LEFT + plotW, TOP + plotH));
    s.append(
        fmt(
            "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>"
                + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>%n",
            LEFT - 4, TOP + 6, number(top), LEFT - 4, TOP + plotH));
    int step = tickStep(seconds);
    for (int t = 0; t <= (int) seconds; t += step) {
      s.append(
          fmt(
              "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%ds</text>%n",
              x(t, plotW), height - 6, t));
    }
    for (Marker m : markers) {
      double x = x(m.at, plotW);
      s.append(
          fmt(
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\""
                  + " stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\" font-size=\"10\""
                  + " fill=\"%s\">%s</text>%n",
              x,
              TOP,
              x,
              TOP + plotH,
              Html.escape(m.colour),
              x + 3,
              TOP + 10,
              Html.escape(m.colour),
              Html.escape(m.label)));
    }
    for (Line l : lines) {
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < l.t.length; i++) {
        if (Double.isFinite(l.t[i]) && Double.isFinite(l.v[i])) {
          points.append(fmt("%.1f,%.1f ", x(l.t[i], plotW), TOP + plotH - plotH * l.v[i] / top));
        }
      }
      s.append(
          fmt(
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"%s\">"
                  + "<title>%s</title></polyline>%n",
              Html.escape(l.colour), points.toString().strip(), Html.escape(l.name)));
    }
    s.append("</svg>\n");
    if (!lines.isEmpty()) {
      s.append("<div class=\"legend\">");
      for (Line l : lines) {
        s.append(
            fmt(
                "<span><svg width=\"12\" height=\"12\"><rect width=\"10\" height=\"10\" x=\"1\""
                    + " y=\"1\" fill=\"%s\"/></svg> %s</span> ",
                Html.escape(l.colour), Html.escape(l.name)));
      }
      s.append("</div>\n");
    }
    return s.toString();
  }

  private double x(double t, int plotW) {
    return LEFT + plotW * Math.max(0, Math.min(t, seconds)) / seconds;
  }

  /** The smallest of 1, 2, 2.5, 5 times a power of ten at or above {@code v} (1 for nothing). */
  static double niceCeiling(double v) {
    if (!(v > 0)) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (v <= m * magnitude * (1 + 1e-12)) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  /** Seconds between time labels: at most about ten labels. */
  static int tickStep(double seconds) {
    for (int step : new int[] {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600}) {
      if (seconds / step <= 10) {
        return step;
      }
    }
    return 7200;
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : fmt("%.3g", v);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
