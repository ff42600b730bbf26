package io.bulwark.states.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * How the {@code states} commands show the server's answers to a person: an execution as aligned
 * fields, executions and history events as tables, anything else as indented JSON ({@code --json}
 * prints the answer as the server sent it).
 */
final class Rendering {

  private Rendering() {}

  /** An execution (describe, start, stop, redrive) as {@code field value} lines. */
  static void execution(JsonNode e, PrintWriter out) {
    List<String[]> rows = new ArrayList<>();
    add(rows, "execution", e.path("executionArn").asText());
    add(rows, "status", e.path("status").asText());
    add(
        rows,
        "state machine",
        name(e.path("stateMachineArn").asText())
            + " (version "
            + e.path("stateMachineVersion")
            + ")");
    add(rows, "started", e.path("startDate").asText(null));
    add(rows, "stopped", e.path("stopDate").asText(null));
    add(rows, "current state", e.path("currentState").asText(null));
    add(rows, "error", e.path("error").asText(null));
    add(rows, "cause", e.path("cause").asText(null));
    if (e.path("redriveCount").asInt() > 0) {
      add(rows, "redriven", e.path("redriveCount").asText() + " times");
    }
    add(rows, "input", e.has("input") ? e.get("input").toString() : null);
    add(rows, "output", e.has("output") ? e.get("output").toString() : null);
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    for (String[] r : rows) {
      out.println(pad(r[0], width) + "  " + r[1]);
    }
  }

  /** {@code {"executions":[…]}} as a table, newest first as the server sorted them. */
  static void executions(JsonNode list, PrintWriter out) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "STATE MACHINE", "STATUS", "STARTED", "STOPPED"});
    for (JsonNode e : list.path("executions")) {
      rows.add(
          new String[] {
            e.path("name").asText(),
            name(e.path("stateMachineArn").asText()),
            e.path("status").asText(),
            e.path("startDate").asText(""),
            e.path("stopDate").asText("-")
          });
    }
    table(rows, out);
    if (rows.size() == 1) {
      out.println("(no executions)");
    }
  }

  /**
   * {@code {"events":[…]}} as a table: id, time since the first event, type, and what the event is
   * about (its state, resource, error and cause; input and output only with {@code --json}).
   */
  static void history(JsonNode page, PrintWriter out) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "AT", "TYPE", "DETAIL"});
    java.time.Instant first = null;
    for (JsonNode ev : page.path("events")) {
      java.time.Instant at = java.time.Instant.parse(ev.path("timestamp").asText());
      if (first == null) {
        first = at;
      }
      rows.add(
          new String[] {
            ev.path("id").asText(),
            "+" + java.time.Duration.between(first, at).toMillis() + " ms",
            ev.path("type").asText(),
            detail(ev)
          });
    }
    table(rows, out);
    if (page.hasNonNull("nextToken")) {
      out.println("(more events: add --next-token " + page.get("nextToken").asText() + ")");
    }
  }

  /** Anything else: indented JSON. */
  static void json(JsonNode n, PrintWriter out) {
    try {
      out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(n));
    } catch (JsonProcessingException e) {
      out.println(n.toString());
    }
  }

  private static String detail(JsonNode ev) {
    List<String> parts = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = ev.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!f.getKey().endsWith("EventDetails") || !f.getValue().isObject()) {
        continue;
      }
      JsonNode d = f.getValue();
      for (String key : List.of("name", "resource", "error", "cause")) {
        if (d.hasNonNull(key)) {
          String v = d.get(key).asText();
          parts.add(
              (key.equals("name") ? "" : key + "=")
                  + (v.length() > 80 ? v.substring(0, 77) + "..." : v));
        }
      }
    }
    return String.join(" ", parts);
  }

  private static String name(String stateMachineArn) {
    int colon = stateMachineArn.lastIndexOf(':');
    return colon < 0 ? stateMachineArn : stateMachineArn.substring(colon + 1);
  }

  private static void add(List<String[]> rows, String field, String value) {
    if (value != null && !value.isEmpty()) {
      rows.add(new String[] {field, value});
    }
  }

  private static void table(List<String[]> rows, PrintWriter out) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(i == r.length - 1 ? r[i] : pad(r[i], width[i]) + "  ");
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }
}
