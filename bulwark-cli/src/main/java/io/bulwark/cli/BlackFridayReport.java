package io.bulwark.cli;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The {@code --report} page of {@code bulwark scenario black-friday}: the four figures against the
 * seed's, then one chart per second-by-second series (arrival rate, p99 latency, instances, orders
 * pending) with the peak and the payment spike shaded. One self-contained HTML file, no scripts.
 */
final class BlackFridayReport {

  private static final int WIDTH = 860;
  private static final int HEIGHT = 170;
  private static final int LEFT = 60;
  private static final int BOTTOM = 24;

  private BlackFridayReport() {}

  static String render(BlackFridayResult r) {
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Black Friday scenario</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;max-width:920px;color:#222}")
        .append(
            "table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;")
        .append("text-align:left}.met{color:#1a7f37}.missed{color:#c62828;font-weight:bold}")
        .append(
            "h2{font-size:1.05em;margin:1.6em 0 .3em}svg{display:block}</style></head><body>\n");
    h.append("<h1>Black Friday: ")
        .append(
            r.passed()
                ? "<span class=\"met\">PASSED</span>"
                : "<span class=\"missed\">FAILED</span>")
        .append("</h1>\n");
    h.append(
        String.format(
            Locale.ROOT,
            "<p>x%.0f peak, %d requests (%d legitimate, %d from bots) over %.0f s; up to %d"
                + " instances.</p>%n",
            r.peakMultiplier(),
            r.requests(),
            r.legitimate(),
            r.botRequests(),
            r.windowSeconds(),
            r.peakInstances()));
    h.append("<table><tr><th>figure</th><th>measured</th><th>seed</th><th></th></tr>\n");
    figure(
        h, "availability", fmt("%.4f %%", r.availabilityPercent()), "99.98 %", r.availabilityMet());
    figure(
        h,
        "mean response",
        fmt(
            "%.1f ms (p99 %.1f ms, VIP p99 %.1f ms)",
            r.meanLatencyMs(), r.p99LatencyMs(), r.vipP99LatencyMs()),
        "180 ms",
        r.latencyMet());
    figure(
        h,
        "data lost",
        fmt(
            "%d lost, %d oversold, %d double-charged of %d acknowledged orders",
            r.lostOrders(), r.oversold(), r.doubleCharged(), r.reconciliation().acknowledged()),
        "zero",
        r.nothingLost());
    figure(
        h,
        "cost below peak provisioning",
        fmt(
            "%.1f %% (%.0f of %.0f instance-seconds)",
            r.costSavingPercent(), r.instanceSeconds(), r.peakProvisionedInstanceSeconds()),
        "40 %",
        r.costMet());
    h.append("</table>\n");
    h.append(
        fmt(
            "<p>Bots: %d of %d requests blocked at the gateway. Orders: %d confirmed, %d failed"
                + " (declined, or the payment network was down).</p>%n",
            r.botRequestsBlocked(),
            r.botRequests(),
            r.reconciliation().confirmed(),
            r.reconciliation().failed()));
    List<BlackFriday.Sample> s = r.samples();
    chart(h, r, "Arrival rate (requests/s)", s, BlackFriday.Sample::arrivalRate, "#1f6feb");
    chart(h, r, "p99 latency of the second (ms)", s, BlackFriday.Sample::p99Millis, "#8250df");
    chart(h, r, "Instances running", s, x -> x.instances(), "#1a7f37");
    chart(h, r, "Orders pending (queue depth)", s, x -> x.queueDepth(), "#bf8700");
    h.append(
        "<p>Shaded blue: the peak. Shaded red: the payment network's spike (extra latency, half the"
            + " charges failing).</p>\n</body></html>\n");
    return h.toString();
  }

  private static void figure(
      StringBuilder h, String name, String measured, String seed, boolean ok) {
    h.append("<tr><td>")
        .append(name)
        .append("</td><td>")
        .append(measured)
        .append("</td><td>")
        .append(seed)
        .append("</td><td class=\"")
        .append(ok ? "met\">met" : "missed\">missed")
        .append("</td></tr>\n");
  }

  private static void chart(
      StringBuilder h,
      BlackFridayResult r,
      String title,
      List<BlackFriday.Sample> samples,
      ToDoubleFunction<BlackFriday.Sample> value,
      String colour) {
    double maxT = Math.max(1, r.windowSeconds());
    double maxV = 1;
    for (BlackFriday.Sample x : samples) {
      maxV = Math.max(maxV, value.applyAsDouble(x));
    }
    maxV = niceCeiling(maxV);
    int plotW = WIDTH - LEFT - 10;
    int plotH = HEIGHT - BOTTOM - 10;
    h.append("<h2>").append(title).append("</h2>\n");
    h.append(
        fmt(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\""
                + " aria-label=\"%s\">%n",
            WIDTH, HEIGHT, title));
    double peakFrom = r.profile().startOf("peak").toMillis() / 1000.0;
    double peakTo = r.profile().startOf("ramp-down").toMillis() / 1000.0;
    band(h, peakFrom, peakTo, maxT, plotW, plotH, "#ddeeff");
    if (r.spikeAtSeconds() >= 0) {
      band(
          h,
          r.spikeAtSeconds(),
          r.spikeAtSeconds() + r.spikeSeconds(),
          maxT,
          plotW,
          plotH,
          "#fde2e2");
    }
    h.append(
        fmt(
            "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n",
            LEFT, LEFT, 10 + plotH, LEFT, 10 + plotH, LEFT + plotW, 10 + plotH));
    h.append(
        fmt(
            "<text x=\"%d\" y=\"16\" font-size=\"11\" text-anchor=\"end\">%s</text>",
            LEFT - 4, num(maxV)));
    h.append(
        fmt(
            "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>",
            LEFT - 4, 10 + plotH));
    for (int t = 0; t <= (int) maxT; t += tickStep(maxT)) {
      h.append(
          fmt(
              "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%ds</text>",
              LEFT + plotW * t / maxT, HEIGHT - 6, t));
    }
    StringBuilder points = new StringBuilder();
    for (BlackFriday.Sample x : samples) {
      points.append(
          fmt(
              "%.1f,%.1f ",
              LEFT + plotW * Math.min(x.seconds(), maxT) / maxT,
              10 + plotH - plotH * value.applyAsDouble(x) / maxV));
    }
    h.append(
        fmt(
            "%n<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"%s\"/>%n</svg>%n",
            colour, points.toString().strip()));
  }

  private static void band(
      StringBuilder h, double from, double to, double maxT, int plotW, int plotH, String fill) {
    double x1 = LEFT + plotW * Math.min(from, maxT) / maxT;
    double x2 = LEFT + plotW * Math.min(to, maxT) / maxT;
    h.append(
        fmt(
            "<rect x=\"%.1f\" y=\"10\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
            x1, Math.max(0, x2 - x1), plotH, fill));
  }

  private static int tickStep(double maxT) {
    for (int step : new int[] {5, 10, 15, 30, 60, 120, 300}) {
      if (maxT / step <= 10) {
        return step;
      }
    }
    return 600;
  }

  private static double niceCeiling(double v) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (v <= m * magnitude) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : fmt("%.1f", v);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
