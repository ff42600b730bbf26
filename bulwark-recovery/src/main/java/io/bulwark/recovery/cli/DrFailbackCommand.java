package io.bulwark.recovery.cli;

import io.bulwark.kernel.Durations;
import io.bulwark.recovery.Failback;
import io.bulwark.recovery.FailbackPlan;
import io.bulwark.recovery.RecoveryException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark dr failback [--approve]}: returns a running {@code bulwark up} from its DR region
 * to its original primary region after an activation; without {@code --approve} it prints the plan
 * and changes nothing.
 */
@Command(
    name = "failback",
    mixinStandardHelpOptions = true,
    description = {
      "Return a running `bulwark up` to its original primary region after `dr activate`: check"
          + " the region runs instances again, re-seed its database member as a streaming"
          + " standby of the current primary, restore its compute, switch the database over to it"
          + " (planned, zero loss), put the topology's pool weights back, return the DR region to"
          + " its size, record primary-region-restored and verify, as a durable state machine.",
      "Without --approve it prints the plan and changes nothing. Run again after the manager"
          + " died: it resumes the same failback without repeating completed steps.",
      "Exit 0 when the failback succeeded or without --approve, 1 when a step failed, 2 for bad"
          + " input (no running topology, no dr section, nothing to fail back: no activation"
          + " moved the primary, or it is back already)."
    })
public final class DrFailbackCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin AttachOptions target;

  @Option(names = "--approve", description = "carry out the failback (default: only print it)")
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
    FailbackPlan plan;
    try {
      wait = timeout.value();
      attach = target.attach();
      plan = FailbackPlan.of(attach.running(), Clock.systemUTC());
      if (!approve) {
        Failback.requireNeeded(attach.running(), plan);
        printPlan(out, plan);
        out.flush();
        return 0;
      }
    } catch (RecoveryException e) {
      return Exits.of(err, e);
    }
    try (ManagerState state = ManagerState.open(attach.running());
        Failback failback = Failback.start(attach.running(), state.database(), Clock.systemUTC())) {
      String name =
          failback.executionName("failback-" + attach.state().startedAt().getEpochSecond());
      err.println("DR manager: state in " + state.dir() + ", failback " + name);
      err.flush();
      return DrActivateCommand.report(out, failback.run(name, wait), json);
    } catch (RecoveryException e) {
      return Exits.of(err, e);
    }
  }

  private static void printPlan(PrintWriter out, FailbackPlan plan) {
    out.println(
        "Failback from "
            + plan.from()
            + " to "
            + plan.to()
            + ", expected "
            + Durations.format(plan.expectedDuration())
            + " (nothing changed; run with --approve to carry it out)");
    for (FailbackPlan.Step s : plan.steps()) {
      out.println(
          String.format(
              "%2d. %-20s %s (expected %s)",
              s.number(), s.name(), s.action(), Durations.format(s.expected())));
    }
  }
}
