package io.bulwark.topology.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Durations;
import io.bulwark.kernel.Json;
import io.bulwark.topology.DisasterRecovery;
import io.bulwark.topology.DrStrategy;
import io.bulwark.topology.Topology;
import io.bulwark.topology.dr.DrPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bulwark dr plan FILE [--rpo 5m --rto 30m]}: the cheapest strategy meeting the targets. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Recommend the cheapest DR strategy whose RPO/RTO meet the targets (default: the file's",
      "dr.rpo and dr.rto) and list what the topology must change to deliver it."
    })
public final class DrPlanCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "topology file (bulwark.yaml)")
  Path file;

  @Option(names = "--rpo", paramLabel = "DURATION", description = "data loss allowed, e.g. 5m")
  String rpo;

  @Option(names = "--rto", paramLabel = "DURATION", description = "downtime allowed, e.g. 30m")
  String rto;

  @Option(names = "--json", description = "print the plan as JSON")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration rpoTarget;
    Duration rtoTarget;
    try {
      rpoTarget = rpo == null ? null : Durations.parse("--rpo", rpo);
      rtoTarget = rto == null ? null : Durations.parse("--rto", rto);
    } catch (IllegalArgumentException e) {
      return Loading.badInput(err, e.getMessage());
    }
    Optional<Topology> loaded = Loading.load(file, err);
    if (loaded.isEmpty()) {
      return Loading.BAD_INPUT;
    }
    Topology t = loaded.get();
    if (rpoTarget == null) {
      rpoTarget = t.dr().map(DisasterRecovery::rpo).orElse(null);
    }
    if (rtoTarget == null) {
      rtoTarget = t.dr().map(DisasterRecovery::rto).orElse(null);
    }
    if (rpoTarget == null || rtoTarget == null) {
      return Loading.badInput(
          err,
          file
              + " has no dr section, so give the targets: --rpo DURATION --rto DURATION (e.g."
              + " --rpo 5m --rto 30m)");
    }
    DrPlan plan = DrPlan.of(t, rpoTarget, rtoTarget);
    if (json) {
      out.println(Json.write(json(plan)));
    } else {
      out.print(text(plan, file.toString()));
    }
    out.flush();
    return 0;
  }

  static String text(DrPlan plan, String file) {
    StringBuilder sb = new StringBuilder();
    sb.append("Targets: RPO ")
        .append(Durations.format(plan.targetRpo()))
        .append(", RTO ")
        .append(Durations.format(plan.targetRto()))
        .append("\n\n");
    sb.append(
        String.format(
            "%-26s %-7s %-15s %-6s %-6s %s%n",
            "strategy", "RPO", "RTO", "cost", "meets", "topology ready"));
    for (DrPlan.Option o : plan.options()) {
      DrStrategy s = o.strategy();
      sb.append(
          String.format(
              "%-26s %-7s %-15s %-6s %-6s %s%n",
              s.title(),
              s.rpoText(),
              s.rtoText(),
              s.cost(),
              o.meetsTargets() ? "yes" : "no",
              o.changes().isEmpty() ? "yes" : "no (" + o.changes().size() + " change(s))"));
    }
    DrStrategy r = plan.recommended();
    sb.append("\nRecommended: ")
        .append(r.title())
        .append(" (")
        .append(r.word())
        .append(", ")
        .append(r.cost())
        .append(") – ")
        .append(r.description())
        .append('\n');
    var changes = plan.recommendation().changes();
    if (changes.isEmpty()) {
      sb.append("The topology already has what ").append(r.word()).append(" needs.\n");
    } else {
      sb.append("Changes to ").append(file).append(":\n");
      for (DrStrategy.Gap g : changes) {
        sb.append("  - ").append(g.change()).append("   (").append(g.problem()).append(")\n");
      }
    }
    if (plan.current().isEmpty() || plan.current().get() != r) {
      sb.append("  - set dr.strategy: ")
          .append(r.word())
          .append(", dr.rpo: ")
          .append(Durations.format(plan.targetRpo()))
          .append(", dr.rto: ")
          .append(Durations.format(plan.targetRto()))
          .append('\n');
    }
    sb.append("It takes: ").append(String.join("; ", r.implementation())).append('\n');
    plan.current()
        .filter(c -> c != r)
        .ifPresent(
            c ->
                sb.append("\nThe file declares ")
                    .append(c.word())
                    .append(
                        c.ordinal() > r.ordinal()
                            ? ", which costs more (" + c.cost() + ") than the targets need."
                            : ", which does not meet these targets.")
                    .append('\n'));
    return sb.toString();
  }

  static ObjectNode json(DrPlan plan) {
    ObjectNode n = Json.object();
    n.put("target_rpo", Durations.format(plan.targetRpo()));
    n.put("target_rto", Durations.format(plan.targetRto()));
    n.put("target_rpo_seconds", plan.targetRpo().toSeconds());
    n.put("target_rto_seconds", plan.targetRto().toSeconds());
    if (plan.current().isPresent()) {
      n.put("current", plan.current().get().word());
    } else {
      n.putNull("current");
    }
    n.put("recommended", plan.recommended().word());
    ArrayNode options = n.putArray("options");
    for (DrPlan.Option o : plan.options()) {
      ObjectNode on = options.addObject();
      on.put("strategy", o.strategy().word());
      on.put("rpo", o.strategy().rpoText());
      on.put("rto", o.strategy().rtoText());
      on.put("rpo_seconds", o.strategy().rpo().toSeconds());
      on.put("rto_seconds", o.strategy().rto().toSeconds());
      on.put("cost", o.strategy().cost());
      on.put("meets_targets", o.meetsTargets());
      ArrayNode changes = on.putArray("changes");
      for (DrStrategy.Gap g : o.changes()) {
        ObjectNode gn = changes.addObject();
        gn.put("change", g.change());
        gn.put("reason", g.problem());
      }
    }
    return n;
  }
}
