package io.bulwark.topology.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Durations;
import io.bulwark.kernel.Json;
import io.bulwark.topology.analysis.CompositeAvailability;
import io.bulwark.topology.analysis.DowntimeBudget;
import io.bulwark.topology.analysis.Layer;
import io.bulwark.topology.analysis.Spof;
import io.bulwark.topology.analysis.TopologyAnalysis;
import java.util.List;

/** Renders a {@link TopologyAnalysis} as a readable report or as JSON. */
final class AnalysisReport {

  private AnalysisReport() {}

  static String text(TopologyAnalysis a, String file) {
    StringBuilder sb = new StringBuilder();
    CompositeAvailability c = a.availability();
    double pct = c.availability() * 100;
    sb.append("Topology ")
        .append(a.topology().name())
        .append(" (")
        .append(file)
        .append("), profile ")
        .append(a.topology().profile().word())
        .append("\n\n");
    sb.append("Composite availability: ")
        .append(CompositeAvailability.percent(c.availability()))
        .append("  (")
        .append(DowntimeBudget.of(Math.min(100, Math.max(0, pct))).label())
        .append(")\n");
    sb.append("  ")
        .append(c.formula())
        .append(" = ")
        .append(CompositeAvailability.percent(c.availability()))
        .append('\n');
    int width = c.terms().stream().mapToInt(t -> t.name().length()).max().orElse(0);
    for (CompositeAvailability.Term t : c.terms()) {
      sb.append("  ")
          .append(pad(t.name(), width))
          .append(" = ")
          .append(t.expression())
          .append(" = ")
          .append(CompositeAvailability.percent(t.availability()))
          .append("   [")
          .append(t.what())
          .append("]\n");
    }
    if (c.regionStates().size() > 1) {
      sb.append("  region states S (a region's outage takes down all of its zones):\n");
      int sw =
          c.regionStates().stream()
              .mapToInt(s -> String.join(", ", s.up()).length())
              .max()
              .orElse(0);
      for (CompositeAvailability.RegionState s : c.regionStates()) {
        sb.append("    S = ")
            .append(pad("{" + String.join(", ", s.up()) + "}", sw + 2))
            .append("  P(S) = ")
            .append(String.format(java.util.Locale.ROOT, "%.4g", s.probability()))
            .append("  A(S) = ")
            .append(CompositeAvailability.percent(s.availability()))
            .append('\n');
      }
    }
    sb.append("  assumptions (change them in the file where a source is named):\n");
    int aw = c.assumptions().stream().mapToInt(x -> x.name().length()).max().orElse(0);
    for (CompositeAvailability.Assumption x : c.assumptions()) {
      sb.append("    ")
          .append(pad(x.name(), aw))
          .append("  ")
          .append(x.value())
          .append("   [")
          .append(x.source())
          .append("]\n");
    }
    DowntimeBudget d = DowntimeBudget.of(Math.min(100, Math.max(0, pct)));
    sb.append("Expected downtime: ")
        .append(DowntimeBudget.format(c.downtimeMinutesPerYear()))
        .append(" per year, ")
        .append(DowntimeBudget.format(d.minutesPerMonth()))
        .append(" per month\n\n");

    sb.append("Single points of failure: ")
        .append(a.spofs().isEmpty() ? "none" : String.valueOf(a.spofs().size()))
        .append('\n');
    for (Layer layer : Layer.values()) {
      List<Spof> spofs = a.spofs(layer);
      sb.append("  ").append(layer.name()).append(spofs.isEmpty() ? ": none\n" : "\n");
      for (Spof s : spofs) {
        sb.append("    - ")
            .append(s.kind())
            .append(" – ")
            .append(s.component())
            .append(": ")
            .append(s.detail())
            .append('\n')
            .append("      fix: ")
            .append(s.countermeasure())
            .append('\n');
      }
    }
    sb.append('\n');
    sb.append("DR: ")
        .append(
            a.drFit()
                .map(f -> f.summary())
                .orElse(
                    "no DR strategy declared; a region loss means rebuilding from scratch"
                        + " (bulwark dr plan suggests one)"))
        .append('\n');
    sb.append("Cost class: ")
        .append(a.costClass())
        .append(" – ")
        .append(a.costReason())
        .append('\n');
    return sb.toString();
  }

  static ObjectNode json(TopologyAnalysis a, String file) {
    ObjectNode n = Json.object();
    n.put("topology", a.topology().name());
    n.put("file", file);
    n.put("profile", a.topology().profile().word());
    CompositeAvailability c = a.availability();
    ObjectNode av = n.putObject("availability");
    av.put("composite", c.availability());
    av.put("percent", c.availability() * 100);
    av.put("formula", c.formula());
    ArrayNode terms = av.putArray("terms");
    for (CompositeAvailability.Term t : c.terms()) {
      ObjectNode tn = terms.addObject();
      tn.put("name", t.name());
      tn.put("what", t.what());
      tn.put("expression", t.expression());
      tn.put("availability", t.availability());
    }
    ArrayNode states = av.putArray("region_states");
    for (CompositeAvailability.RegionState s : c.regionStates()) {
      ObjectNode sn = states.addObject();
      ArrayNode up = sn.putArray("up");
      s.up().forEach(up::add);
      sn.put("probability", s.probability());
      sn.put("availability", s.availability());
    }
    ArrayNode assumptions = av.putArray("assumptions");
    for (CompositeAvailability.Assumption x : c.assumptions()) {
      ObjectNode xn = assumptions.addObject();
      xn.put("name", x.name());
      xn.put("value", x.value());
      xn.put("source", x.source());
    }
    av.put("downtime_minutes_per_year", c.downtimeMinutesPerYear());
    av.put("downtime_per_year", DowntimeBudget.format(c.downtimeMinutesPerYear()));
    ObjectNode spofs = n.putObject("spofs");
    for (Layer layer : Layer.values()) {
      ArrayNode list = spofs.putArray(layer.word());
      for (Spof s : a.spofs(layer)) {
        ObjectNode sn = list.addObject();
        sn.put("kind", s.kind());
        sn.put("component", s.component());
        sn.put("detail", s.detail());
        sn.put("countermeasure", s.countermeasure());
      }
    }
    n.put("spof_count", a.spofs().size());
    if (a.drFit().isPresent()) {
      var f = a.drFit().get();
      ObjectNode dr = n.putObject("dr");
      dr.put("strategy", f.strategy().word());
      dr.put("target_rpo", Durations.format(f.targetRpo()));
      dr.put("target_rto", Durations.format(f.targetRto()));
      dr.put("strategy_rpo", f.strategy().rpoText());
      dr.put("strategy_rto", f.strategy().rtoText());
      dr.put("meets_rpo", f.meetsRpo());
      dr.put("meets_rto", f.meetsRto());
      dr.put("summary", f.summary());
    } else {
      n.putNull("dr");
    }
    ObjectNode cost = n.putObject("cost");
    cost.put("class", a.costClass());
    cost.put("reason", a.costReason());
    return n;
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }
}
