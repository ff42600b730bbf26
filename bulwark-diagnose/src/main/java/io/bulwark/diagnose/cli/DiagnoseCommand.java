package io.bulwark.diagnose.cli;

import io.bulwark.diagnose.Cause;
import io.bulwark.diagnose.Diagnoser;
import io.bulwark.diagnose.Diagnosis;
import io.bulwark.diagnose.Evidence;
import io.bulwark.diagnose.Frequency;
import io.bulwark.diagnose.Severity;
import io.bulwark.diagnose.Solution;
import io.bulwark.diagnose.Symptom;
import io.bulwark.diagnose.Telemetry;
import io.bulwark.diagnose.http.RemoteTelemetry;
import io.bulwark.diagnose.notify.Webhook;
import io.bulwark.diagnose.report.DiagnosisReport;
import io.bulwark.kernel.AdminApi;
import io.bulwark.kernel.Durations;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark diagnose}: reads a running server's recorded telemetry and change events (its
 * admin API), compares the baseline before the symptom with the time since, and prints the ranked
 * causes, the root cause when one clears the bar, the evidence and the fixes. Exit 0 diagnosed
 * (with or without a root cause), 2 bad input, 1 the server could not be asked.
 */
@Command(
    name = "diagnose",
    mixinStandardHelpOptions = true,
    description =
        "Finds the cause of a symptom on a running server: compares its recorded telemetry (CPU,"
            + " heap and GC, connection pool, HTTP, disk, PostgreSQL statements and locks) before"
            + " and since the symptom, ranks hypotheses by posterior confidence, and prints the"
            + " root cause with its evidence and the commands that fix it. Needs an"
            + " administrator's token (--token or $BULWARK_TOKEN).")
public final class DiagnoseCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin RemoteOptions remote;

  @Option(names = "--symptom", description = "What was seen, e.g. \"checkout is slow\" (required).")
  String symptom;

  @Option(
      names = "--severity",
      defaultValue = "MEDIUM",
      description = "LOW, MEDIUM, HIGH or CRITICAL (default: ${DEFAULT-VALUE}).")
  String severity;

  @Option(
      names = "--since",
      description = "How long ago the symptom was first seen, e.g. 15m, 90s (required).")
  String since;

  @Option(
      names = "--frequency",
      defaultValue = "CONSTANT",
      description = "ONCE, INTERMITTENT or CONSTANT (default: ${DEFAULT-VALUE}).")
  String frequency;

  @Option(
      names = "--component",
      description = "A component the symptom was seen on, e.g. shop (repeatable).")
  List<String> components = new ArrayList<>();

  @Option(
      names = "--baseline",
      defaultValue = "10m",
      description =
          "How much of the time before the symptom to compare with (default: ${DEFAULT-VALUE};"
              + " the server keeps 30m).")
  String baseline;

  @Option(names = "--json", description = "Print the diagnosis as one JSON object.")
  boolean json;

  @Option(
      names = "--webhook",
      paramLabel = "URL",
      description =
          "Also POST the diagnosis to URL: the --json object, or a Slack message with --slack."
              + " A 5xx or an unreachable URL is retried twice; exit 1 when it was not taken.")
  String webhook;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description =
          "Also write the diagnosis as an HTML page to FILE: the evidence's metrics charted over"
              + " the window, the hypotheses, the commands (no script, opens offline).")
  Path report;

  @Option(
      names = "--slack",
      description = "Post to --webhook as a Slack incoming-webhook message ({\"text\": ...}).")
  boolean slack;

  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Symptom s;
    Duration baselineLength;
    Webhook hook;
    try {
      if (slack && webhook == null) {
        throw new IllegalArgumentException("--slack needs --webhook URL");
      }
      if (report != null) {
        Path dir = report.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
          throw new IllegalArgumentException("--report: directory " + dir + " does not exist");
        }
      }
      hook =
          webhook == null
              ? null
              : Webhook.of(webhook, slack ? Webhook.Format.SLACK : Webhook.Format.PLAIN);
      // checked here, not by picocli, so that `diagnose eval` needs neither
      if (symptom == null || since == null) {
        throw new IllegalArgumentException(
            "missing " + (symptom == null ? "--symptom" : "--since") + "; see --help");
      }
      Duration ago = Durations.parse("--since", since);
      baselineLength = Durations.parse("--baseline", baseline);
      Instant now = clock.instant();
      s =
          new Symptom(
              symptom,
              choice("--severity", Severity.class, severity),
              now.minus(ago),
              choice("--frequency", Frequency.class, frequency),
              components);
    } catch (IllegalArgumentException e) {
      err.println("bulwark: " + e.getMessage());
      err.flush();
      return 2;
    }
    Telemetry telemetry;
    try {
      telemetry =
          RemoteTelemetry.fetch(
              (method, path) -> AdminApi.call(remote.url, remote.token, method, path, null),
              s,
              s.since().minus(baselineLength));
    } catch (AdminApi.Failed e) {
      err.println("bulwark: " + e.getMessage());
      err.flush();
      return e.exitCode();
    } catch (IllegalArgumentException e) {
      err.println("bulwark: the server at " + remote.url + " sent " + e.getMessage());
      err.flush();
      return 1;
    }
    for (String c : components) {
      if (!telemetry.components().contains(c)) {
        err.println(
            "bulwark: --component "
                + c
                + " has no telemetry; known: "
                + String.join(", ", telemetry.components()));
        err.flush();
        return 2;
      }
    }
    Diagnosis diagnosis = Diagnoser.forServer(remote.url).diagnose(s, telemetry);
    if (json) {
      out.println(Json.write(diagnosis.toJson()));
    } else {
      print(diagnosis, out);
    }
    out.flush();
    if (report != null) {
      try {
        Files.writeString(report, DiagnosisReport.html(diagnosis, telemetry));
      } catch (IOException e) {
        err.println("bulwark: the diagnosis is above, but --report " + report + ": " + e);
        err.flush();
        return 1;
      }
    }
    if (hook != null) {
      try {
        hook.post(diagnosis);
      } catch (Webhook.Failed e) {
        err.println("bulwark: the diagnosis is above, but " + e.getMessage());
        err.flush();
        return 1;
      }
    }
    return 0;
  }

  private static <E extends Enum<E>> E choice(String option, Class<E> type, String value) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> names =
          java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
      throw new IllegalArgumentException(
          option + " must be one of " + String.join(", ", names) + " but was " + value, e);
    }
  }

  private static void print(Diagnosis d, PrintWriter out) {
    out.println(
        "symptom: "
            + d.symptom().description()
            + " ("
            + d.symptom().severity()
            + ", "
            + d.symptom().frequency().name().toLowerCase(Locale.ROOT)
            + ", since "
            + d.symptom().since()
            + ")");
    if (d.rootCause().isPresent()) {
      Cause c = d.rootCause().get();
      out.printf(
          Locale.ROOT,
          "root cause: %s on %s (confidence %.2f)%n",
          c.fault().slug(),
          c.component(),
          c.confidence());
    } else {
      out.println("root cause: none cleared the bar; needs more investigation");
    }
    d.contributing()
        .forEach(c -> out.println("contributing: " + c.fault().slug() + " on " + c.component()));
    out.println("ranked:");
    d.ranked().stream()
        .limit(5)
        .forEach(
            c ->
                out.printf(
                    Locale.ROOT,
                    "  %.3f  %-16s %s%n",
                    c.confidence(),
                    c.fault().slug(),
                    c.component()));
    if (!d.evidence().isEmpty()) {
      out.println("evidence:");
      for (Evidence e : d.evidence()) {
        out.println("  - " + e.text());
      }
    }
    if (!d.solutions().isEmpty()) {
      out.println("solutions:");
      for (Solution s : d.solutions()) {
        out.println("  P" + s.priority() + " [" + s.risk() + " risk] " + s.description());
        out.println("       " + s.command());
      }
    }
    if (!d.collectNext().isEmpty()) {
      out.println("collect next:");
      d.collectNext().forEach(n -> out.println("  - " + n));
    }
  }
}
