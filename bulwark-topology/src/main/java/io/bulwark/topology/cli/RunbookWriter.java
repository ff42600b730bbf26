package io.bulwark.topology.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Durations;
import io.bulwark.kernel.Json;
import io.bulwark.topology.Contacts;
import io.bulwark.topology.runbook.Runbook;
import io.bulwark.topology.runbook.RunbookStep;
import java.util.Locale;

/** Writes a {@link Runbook} as Markdown or as JSON (the seed's runbook keys plus checks). */
final class RunbookWriter {

  private RunbookWriter() {}

  /** Markdown for people. */
  static String markdown(Runbook r) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(r.title()).append("\n\n");
    sb.append("- generated at: ").append(r.generatedAt()).append('\n');
    sb.append("- topology: `").append(r.topologyFile()).append("`\n");
    sb.append("- strategy: ")
        .append(r.strategy().title())
        .append(" (RPO ")
        .append(r.strategy().rpoText())
        .append(", RTO ")
        .append(r.strategy().rtoText())
        .append(")\n");
    sb.append("- failover: ")
        .append(r.fromRegion())
        .append(" → ")
        .append(r.toRegion())
        .append('\n');
    sb.append("- expected total: ").append(Durations.human(r.expectedDuration())).append("\n\n");
    sb.append("## Steps\n");
    for (RunbookStep s : r.steps()) {
      sb.append("\n### ").append(s.number()).append(". ").append(s.action()).append("\n\n");
      if (s.manual()) {
        sb.append("Manual:\n\n");
        s.manualSteps().forEach(m -> sb.append("- [ ] ").append(m).append('\n'));
        sb.append('\n');
      } else {
        sb.append("```\n").append(s.command()).append("\n```\n\n");
      }
      sb.append("- expected duration: ").append(duration(s)).append('\n');
      sb.append("- success check: ").append(s.successCheck()).append('\n');
      sb.append("- rollback: ").append(s.rollback()).append('\n');
    }
    sb.append("\n## Contacts\n\n");
    Contacts c = r.contacts();
    sb.append("- primary: ").append(c.primary().orElse("(not set)")).append('\n');
    sb.append("- escalation: ").append(c.escalation().orElse("(not set)")).append('\n');
    c.vendorSupport()
        .forEach(
            (v, ch) ->
                sb.append("- vendor support, ").append(v).append(": ").append(ch).append('\n'));
    return sb.toString();
  }

  /** JSON for machines and for the DR manager. */
  static ObjectNode json(Runbook r) {
    ObjectNode n = Json.object();
    n.put("title", r.title());
    n.put("generated_at", r.generatedAt().toString());
    n.put("topology", r.topologyFile());
    n.put("strategy", r.strategy().word());
    n.put("from_region", r.fromRegion());
    n.put("to_region", r.toRegion());
    n.put("expected_total_seconds", r.expectedDuration().toMillis() / 1000.0);
    ArrayNode steps = n.putArray("steps");
    for (RunbookStep s : r.steps()) {
      ObjectNode sn = steps.addObject();
      sn.put("step", s.number());
      sn.put("kind", s.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
      sn.put("action", s.action());
      sn.put("manual", s.manual());
      // the seed's key stays: null for a step people do by hand (every step, until Bulwark runs
      // DR steps)
      if (s.manual()) {
        sn.putNull("command");
        ArrayNode manual = sn.putArray("manual_steps");
        s.manualSteps().forEach(manual::add);
      } else {
        sn.put("command", s.command());
      }
      sn.put("expected_duration", duration(s));
      sn.put("expected_duration_seconds", s.expectedDuration().toMillis() / 1000.0);
      sn.put("success_check", s.successCheck());
      sn.put("rollback", s.rollback());
    }
    ObjectNode contacts = n.putObject("contacts");
    r.contacts().primary().ifPresent(p -> contacts.put("primary", p));
    r.contacts().escalation().ifPresent(e -> contacts.put("escalation", e));
    ObjectNode vendors = contacts.putObject("vendor_support");
    r.contacts().vendorSupport().forEach(vendors::put);
    return n;
  }

  private static String duration(RunbookStep s) {
    return s.ongoing() ? "ongoing" : Durations.human(s.expectedDuration());
  }
}
