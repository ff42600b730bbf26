package io.bulwark.recovery.cli;

import io.bulwark.kernel.Durations;
import io.bulwark.kernel.Json;
import io.bulwark.recovery.Activation;
import io.bulwark.recovery.DisasterRecoveryManager;
import io.bulwark.recovery.RecoveryException;
import io.bulwark.recovery.StepRecord;
import io.bulwark.topology.runbook.Runbook;
import io.bulwark.topology.runbook.RunbookStep;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark dr activate [--approve]}: fails a running {@code bulwark up} over to its DR region
 * by executing its runbook as a durable execution; without {@code --approve} it prints the plan and
 * changes nothing.
 */
@Command(
    name = "activate",
    mixinStandardHelpOptions = true,
    description = {
      "Fail a running `bulwark up` over to its DR region: the DR manager carries out the runbook"
          + " (verify the failure, fence the old primary, promote the DR replica, start and scale"
          + " the DR instances, switch the pool weights, record the monitoring change, verify)"
          + " as a durable state machine, and hands the manual steps to people.",
      "Without --approve it prints the plan and changes nothing. Run again after the manager"
          + " died: it resumes the same activation without repeating completed steps.",
      "Exit 0 when the activation succeeded or without --approve, 1 when it failed (and was"
          + " rolled back), 2 for bad input (no running topology, no dr section)."
    })
public final class DrActivateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin AttachOptions target;

  @Option(names = "--approve", description = "carry out the failover (default: only print it)")
  boolean approve;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Mixin TimeoutOption timeout;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration wait;
    Attach attach;
    Runbook runbook;
    try {
      wait = timeout.value();
      attach = target.attach();
      runbook = DisasterRecoveryManager.runbook(attach.running(), Clock.systemUTC());
    } catch (RecoveryException e) {
      return Exits.of(err, e);
    }
    if (!approve) {
      printPlan(out, runbook);
      out.flush();
      return 0;
    }
    try (ManagerState state = ManagerState.open(attach.running());
        DisasterRecoveryManager manager =
            DisasterRecoveryManager.start(attach.running(), state.database(), Clock.systemUTC())) {
      String activation =
          manager.activationName("activate-" + attach.state().startedAt().getEpochSecond());
      err.println("DR manager: state in " + state.dir() + ", activation " + activation);
      err.flush();
      return report(out, manager.activate(activation, wait), json);
    } catch (RecoveryException e) {
      return Exits.of(err, e);
    }
  }

  private static void printPlan(PrintWriter out, Runbook r) {
    out.println(
        r.title()
            + ": "
            + r.strategy().word()
            + " from "
            + r.fromRegion()
            + " to "
            + r.toRegion()
            + " (nothing changed; run with --approve to carry it out)");
    for (RunbookStep s : r.steps()) {
      out.println(
          String.format(
              "%2d. %-9s %s (expected %s)",
              s.number(),
              DisasterRecoveryManager.automated(s) ? "[manager]" : "[people]",
              s.action(),
              Durations.format(s.expectedDuration())));
    }
  }

  /**
   * Prints {@code a} (as JSON with {@code json}, else its step table); the exit code: 0 when it
   * succeeded, else 1.
   */
  static int report(PrintWriter out, Activation a, boolean json) {
    if (json) {
      out.println(Json.write(toJson(a)));
    } else {
      printSteps(out, a);
    }
    out.flush();
    return a.status().equals("SUCCEEDED") ? 0 : 1;
  }

  private static void printSteps(PrintWriter out, Activation a) {
    out.println(
        a.executionArn() + ": " + a.status() + a.error().map(e -> " (" + e + ")").orElse(""));
    for (StepRecord s : a.steps()) {
      out.println(
          String.format(
              "  %-34s %-9s %7.1f s  %s", s.state(), s.status(), s.seconds(), s.detail()));
    }
  }

  private static Map<String, Object> toJson(Activation a) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("execution", a.executionArn());
    out.put("status", a.status());
    out.put("startedAt", a.startedAt().toString());
    out.put("stoppedAt", a.stoppedAt().map(Object::toString).orElse(null));
    out.put("error", a.error().orElse(null));
    out.put("cause", a.cause().orElse(null));
    List<Map<String, Object>> steps = new ArrayList<>();
    for (StepRecord s : a.steps()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", s.state());
      row.put("status", s.status());
      row.put("seconds", s.seconds());
      row.put("attempts", s.attempts());
      row.put("rollback", s.rollback());
      row.put("detail", s.detail());
      steps.add(row);
    }
    out.put("steps", steps);
    return out;
  }
}
