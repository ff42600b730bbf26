package io.bulwark.cli;

import io.bulwark.kernel.html.Html;
import io.bulwark.kernel.html.SvgChart;
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
    double[] at = new double[samples.size()];
    double[] values = new double[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      at[i] = samples.get(i).seconds();
      values[i] = value.applyAsDouble(samples.get(i));
    }
    SvgChart chart =
        SvgChart.of(title, WIDTH, HEIGHT, Math.max(1, r.windowSeconds()))
            .band(
                r.profile().startOf("peak").toMillis() / 1000.0,
                r.profile().startOf("ramp-down").toMillis() / 1000.0,
                "#ddeeff");
    if (r.spikeAtSeconds() >= 0) {
      chart.band(r.spikeAtSeconds(), r.spikeAtSeconds() + r.spikeSeconds(), "#fde2e2");
    }
    h.append("<h2>").append(Html.escape(title)).append("</h2>\n");
    h.append(chart.line(title, colour, at, values).svg());
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
