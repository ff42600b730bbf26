package io.bulwark.topology.cli;

import io.bulwark.topology.Database;
import io.bulwark.topology.Region;
import io.bulwark.topology.Service;
import io.bulwark.topology.Topology;
import io.bulwark.topology.Traffic;
import io.bulwark.topology.analysis.CompositeAvailability;
import io.bulwark.topology.analysis.DowntimeBudget;
import io.bulwark.topology.analysis.Layer;
import io.bulwark.topology.analysis.Spof;
import io.bulwark.topology.analysis.TopologyAnalysis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A self-contained HTML page: the topology drawn as inline SVG (regions, zones, instances, database
 * primary and replicas) with SPOFs in red, then the availability formula and SPOF table.
 */
final class HtmlReport {

  private static final int ZONE_W = 190;
  private static final int ROW_H = 22;

  /** Characters of a row's label that fit before its boxes at 12 px. */
  private static final int LABEL_CHARS = 16;

  private static final String RED = "#d62728";

  private HtmlReport() {}

  static String render(TopologyAnalysis a, String file) {
    Topology t = a.topology();
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Bulwark analysis – ")
        .append(esc(t.name()))
        .append("</title>\n<style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;")
        .append("text-align:left;vertical-align:top}.spof{color:")
        .append(RED)
        .append("}code{background:#f4f4f4;padding:1px 4px}</style></head><body>\n");
    h.append("<h1>")
        .append(esc(t.name()))
        .append("</h1>\n<p>")
        .append(esc(file))
        .append(" · profile ")
        .append(t.profile().word())
        .append("</p>\n");
    h.append(svg(a)).append('\n');
    h.append("<p class=\"legend\">")
        .append(swatch("#eef5ff", "#4a78b5"))
        .append(" serving region ")
        .append(swatch("#f3f3f3", "#4a78b5"))
        .append(" standby region ")
        .append(swatch("#4a78b5", "#4a78b5"))
        .append(" service instance ")
        .append(swatch("#2ca02c", "#2ca02c"))
        .append(" database server (primary or replica, sync or async) ")
        .append(swatch(RED, RED))
        .append(" part of a single point of failure; dashed boxes are zones</p>\n");
    h.append(flows(t)).append('\n');

    CompositeAvailability c = a.availability();
    h.append("<h2>Composite availability: ")
        .append(CompositeAvailability.percent(c.availability()))
        .append("</h2>\n<p>Expected downtime ")
        .append(esc(DowntimeBudget.format(c.downtimeMinutesPerYear())))
        .append(" per year.</p>\n<p><code>")
        .append(esc(c.formula()))
        .append("</code></p>\n<table><tr><th>term</th><th>what</th><th>expression</th>")
        .append("<th>value</th></tr>\n");
    for (CompositeAvailability.Term term : c.terms()) {
      h.append("<tr><td>")
          .append(esc(term.name()))
          .append("</td><td>")
          .append(esc(term.what()))
          .append("</td><td><code>")
          .append(esc(term.expression()))
          .append("</code></td><td>")
          .append(CompositeAvailability.percent(term.availability()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
    if (c.regionStates().size() > 1) {
      h.append(
              "<p>Region states <code>S</code>: a region's outage takes down all of its zones.</p>")
          .append("\n<table><tr><th>regions up</th><th>P(S)</th><th>A(S)</th></tr>\n");
      for (CompositeAvailability.RegionState s : c.regionStates()) {
        h.append("<tr><td>")
            .append(esc(String.join(", ", s.up())))
            .append("</td><td>")
            .append(String.format(java.util.Locale.ROOT, "%.4g", s.probability()))
            .append("</td><td>")
            .append(CompositeAvailability.percent(s.availability()))
            .append("</td></tr>\n");
      }
      h.append("</table>\n");
    }
    h.append(
        "<h3>Assumptions</h3>\n<table><tr><th>figure</th><th>value</th><th>source</th></tr>\n");
    for (CompositeAvailability.Assumption x : c.assumptions()) {
      h.append("<tr><td>")
          .append(esc(x.name()))
          .append("</td><td>")
          .append(esc(x.value()))
          .append("</td><td>")
          .append(esc(x.source()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");

    h.append("<h2>Single points of failure: ")
        .append(a.spofs().isEmpty() ? "none" : a.spofs().size())
        .append("</h2>\n");
    if (!a.spofs().isEmpty()) {
      h.append("<table><tr><th>layer</th><th>SPOF</th><th>component</th>")
          .append("<th>why</th><th>countermeasure</th></tr>\n");
    }
    for (Spof s : a.spofs()) {
      h.append("<tr class=\"spof\"><td>")
          .append(s.layer().word())
          .append("</td><td>")
          .append(esc(s.kind()))
          .append("</td><td>")
          .append(esc(s.component()))
          .append("</td><td>")
          .append(esc(s.detail()))
          .append("</td><td>")
          .append(esc(s.countermeasure()))
          .append("</td></tr>\n");
    }
    h.append(a.spofs().isEmpty() ? "" : "</table>\n")
        .append("<h2>DR and cost</h2>\n<p>")
        .append(esc(a.drFit().map(f -> f.summary()).orElse("no DR strategy declared")))
        .append("</p>\n<p>Cost class <b>")
        .append(esc(a.costClass()))
        .append("</b> – ")
        .append(esc(a.costReason()))
        .append("</p>\n</body></html>\n");
    return h.toString();
  }

  private static String svg(TopologyAnalysis a) {
    Topology t = a.topology();
    List<String> badServices = new ArrayList<>();
    List<String> badRegions = new ArrayList<>();
    boolean badDb = false;
    for (Spof s : a.spofs()) {
      if (s.component().startsWith("service ")) {
        badServices.add(s.component().substring("service ".length()));
      } else if (s.component().startsWith("region ")) {
        badRegions.add(s.component().substring("region ".length()));
      } else if (s.layer() == Layer.DATA) {
        badDb = true;
      }
    }
    int rows = 0;
    for (Region r : t.regions()) {
      for (String z : r.zones()) {
        rows = Math.max(rows, rowsIn(t, r, z).size());
      }
    }
    int zoneH = 36 + Math.max(1, rows) * ROW_H;
    int regionH = zoneH + 50;
    int width = 20;
    for (Region r : t.regions()) {
      width += r.zones().size() * (ZONE_W + 10) + 30;
    }
    StringBuilder s = new StringBuilder();
    s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(width)
        .append("\" height=\"")
        .append(regionH + 30)
        .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
    int x = 10;
    for (Region r : t.regions()) {
      int w = r.zones().size() * (ZONE_W + 10) + 10;
      boolean bad = badRegions.contains(r.name());
      s.append("<g class=\"region\"><rect x=\"")
          .append(x)
          .append("\" y=\"10\" width=\"")
          .append(w)
          .append("\" height=\"")
          .append(regionH)
          .append("\" rx=\"8\" fill=\"")
          .append(r.role().serves() ? "#eef5ff" : "#f3f3f3")
          .append("\" stroke=\"")
          .append(bad ? RED : "#4a78b5")
          .append("\" stroke-width=\"")
          .append(bad ? 3 : 1.5)
          .append("\"/>");
      s.append(
          text(
              x + 10,
              30,
              r.name()
                  + " ("
                  + r.role().name().toLowerCase(java.util.Locale.ROOT)
                  + (r.provider().isEmpty() ? "" : ", " + r.provider())
                  + ")",
              bad,
              true));
      int zx = x + 10;
      for (String z : r.zones()) {
        s.append("<rect x=\"")
            .append(zx)
            .append("\" y=\"45\" width=\"")
            .append(ZONE_W)
            .append("\" height=\"")
            .append(zoneH)
            .append("\" rx=\"4\" fill=\"#fff\" stroke=\"#999\" stroke-dasharray=\"4 2\"/>");
        s.append(text(zx + 6, 60, z, false, false));
        int y = 80;
        for (Row row : rowsIn(t, r, z)) {
          boolean hot = row.db ? badDb : badServices.contains(row.label);
          // a label longer than the space before the boxes is cut, the whole in its tooltip
          String label =
              row.label.length() > LABEL_CHARS
                  ? row.label.substring(0, LABEL_CHARS - 1) + "…"
                  : row.label;
          s.append("<g><title>")
              .append(esc(row.label))
              .append("</title>")
              .append(text(zx + 6, y, label, hot, false))
              .append("</g>");
          int bx = zx + 110;
          for (int i = 0; i < Math.min(row.count, 5); i++) {
            s.append("<rect x=\"")
                .append(bx + i * 13)
                .append("\" y=\"")
                .append(y - 10)
                .append("\" width=\"10\" height=\"10\" fill=\"")
                .append(hot ? RED : row.db ? "#2ca02c" : "#4a78b5")
                .append("\"><title>")
                .append(esc(row.label))
                .append("</title></rect>");
          }
          if (row.count > 5) {
            s.append(text(bx + 5 * 13, y, "+" + (row.count - 5), hot, false));
          }
          y += ROW_H;
        }
        zx += ZONE_W + 10;
      }
      s.append("</g>\n");
      x += w + 20;
    }
    return s.append("</svg>").toString();
  }

  /**
   * Who calls whom: the traffic pools (with their weights) into their services, then each service
   * in a column after its callers, an arrow per dependency: solid when a request waits for it,
   * dashed when asynchronous or with a fallback, red when it is a single point of failure's call.
   */
  private static String flows(Topology t) {
    Map<String, Integer> column = new java.util.LinkedHashMap<>();
    t.services().forEach(s -> column.put(s.name(), 1));
    for (int round = 0; round < t.services().size(); round++) { // longest path from an entry
      for (Service s : t.services()) {
        for (Service.Dependency d : s.dependsOn()) {
          if (column.containsKey(d.service())) {
            column.merge(d.service(), column.get(s.name()) + 1, Math::max);
          }
        }
      }
    }
    int boxW = 130;
    int boxH = 26;
    int gapX = 60;
    Map<Integer, Integer> rowsUsed = new java.util.HashMap<>();
    Map<String, int[]> at = new java.util.LinkedHashMap<>();
    column.forEach(
        (name, c) -> {
          int row = rowsUsed.merge(c, 1, Integer::sum) - 1;
          at.put(name, new int[] {10 + c * (boxW + gapX), 20 + row * (boxH + 16)});
        });
    List<String> pools = new ArrayList<>();
    t.traffic().ifPresent(tr -> tr.pools().forEach(p -> pools.add(p.name())));
    int rows = Math.max(pools.size(), rowsUsed.values().stream().max(Integer::compare).orElse(1));
    int maxCol = column.values().stream().max(Integer::compare).orElse(1);
    StringBuilder s = new StringBuilder();
    s.append("<h2>Calls and traffic</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(20 + (maxCol + 1) * (boxW + gapX))
        .append("\" height=\"")
        .append(30 + rows * (boxH + 16))
        .append("\" font-family=\"sans-serif\" font-size=\"12\">")
        .append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\"")
        .append(" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">")
        .append("<path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>\n");
    for (int i = 0; i < pools.size(); i++) {
      Traffic.Pool p = t.traffic().get().pools().get(i);
      int y = 20 + i * (boxH + 16);
      s.append(box(10, y, boxW, boxH, "pool " + p.name() + " (" + p.weight() + ")", "#fff7e6"));
      int[] to = at.get(p.service());
      if (to != null) {
        s.append(arrow(10 + boxW, y + boxH / 2, to[0], to[1] + boxH / 2, false, false));
      }
    }
    for (Service svc : t.services()) {
      int[] from = at.get(svc.name());
      for (Service.Dependency d : svc.dependsOn()) {
        int[] to = at.get(d.service());
        if (to != null) {
          s.append(
              arrow(
                  from[0] + boxW,
                  from[1] + boxH / 2,
                  to[0],
                  to[1] + boxH / 2,
                  !d.critical(),
                  d.address().isPresent()));
        }
      }
    }
    at.forEach(
        (name, xy) ->
            s.append(
                box(
                    xy[0],
                    xy[1],
                    boxW,
                    boxH,
                    name,
                    t.service(name).map(Service::runsHere).orElse(true) ? "#eef5ff" : "#f3f3f3")));
    return s.append("</svg>\n<p class=\"legend\">solid arrow: a request waits for the call;")
        .append(" dashed: asynchronous or with a fallback; red: a hard-coded address;")
        .append(" grey box: an external service</p>")
        .toString();
  }

  private static String box(int x, int y, int w, int h, String label, String fill) {
    String shown = label.length() > 20 ? label.substring(0, 19) + "…" : label;
    return "<g><title>"
        + esc(label)
        + "</title><rect x=\""
        + x
        + "\" y=\""
        + y
        + "\" width=\""
        + w
        + "\" height=\""
        + h
        + "\" rx=\"4\" fill=\""
        + fill
        + "\" stroke=\"#4a78b5\"/>"
        + text(x + 6, y + 17, shown, false, false)
        + "</g>\n";
  }

  private static String arrow(int x1, int y1, int x2, int y2, boolean dashed, boolean red) {
    return "<line class=\"flow\" x1=\""
        + x1
        + "\" y1=\""
        + y1
        + "\" x2=\""
        + x2
        + "\" y2=\""
        + y2
        + "\" stroke=\""
        + (red ? RED : "#555")
        + "\" stroke-width=\"1.5\""
        + (dashed ? " stroke-dasharray=\"5 3\"" : "")
        + " marker-end=\"url(#arrow)\"/>\n";
  }

  private record Row(String label, int count, boolean db) {}

  private static List<Row> rowsIn(Topology t, Region r, String zone) {
    List<Row> rows = new ArrayList<>();
    for (Service s : t.services()) {
      Map<String, Integer> byZone = t.layout(s).get(r.name());
      int n = byZone == null ? 0 : byZone.getOrDefault(zone, 0);
      if (n > 0) {
        rows.add(new Row(s.name(), n, false));
      }
    }
    if (t.database().isPresent()) {
      Database db = t.database().get();
      if (db.primary().region().equals(r.name()) && db.primary().zone().equals(zone)) {
        rows.add(new Row("db primary", 1, true));
      }
      for (Database.Replica rep : db.replicas()) {
        if (rep.location().region().equals(r.name()) && rep.location().zone().equals(zone)) {
          rows.add(new Row(rep.name() + (rep.synchronous() ? " (sync)" : " (async)"), 1, true));
        }
      }
    }
    return rows;
  }

  private static String text(int x, int y, String s, boolean red, boolean bold) {
    return "<text x=\""
        + x
        + "\" y=\""
        + y
        + "\""
        + (red ? " fill=\"" + RED + "\"" : "")
        + (bold ? " font-weight=\"bold\"" : "")
        + ">"
        + esc(s)
        + "</text>";
  }

  private static String swatch(String fill, String stroke) {
    return "<svg width=\"12\" height=\"12\"><rect width=\"10\" height=\"10\" x=\"1\" y=\"1\" fill=\""
        + fill
        + "\" stroke=\""
        + stroke
        + "\"/></svg>";
  }

  static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
