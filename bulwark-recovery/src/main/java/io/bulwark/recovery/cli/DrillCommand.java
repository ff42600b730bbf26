package io.bulwark.recovery.cli;

import io.bulwark.fleet.cli.RunState;
import io.bulwark.kernel.Durations;
import io.bulwark.kernel.Json;
import io.bulwark.recovery.DisasterRecoveryManager;
import io.bulwark.recovery.RecoveryException;
import io.bulwark.recovery.StepRecord;
import io.bulwark.recovery.drill.Disaster;
import io.bulwark.recovery.drill.Drill;
import io.bulwark.recovery.drill.DrillHistory;
import io.bulwark.recovery.drill.DrillReport;
import io.bulwark.recovery.drill.DrillResult;
import io.bulwark.recovery.drill.DrillStack;
import io.bulwark.topology.InvalidTopologyException;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark drill FILE --disaster region-loss}: rehearses disaster recovery and measures it.
 * Starts the topology in its own process, runs a bounded order load through the gateway, injects
 * the disaster, lets the DR manager carry out the runbook, and reports RTO, RPO, each step's
 * duration and the invariants against the topology's {@code dr.rto} / {@code dr.rpo}.
 */
@Command(
    name = "drill",
    mixinStandardHelpOptions = true,
    subcommands = DrillHistoryCommand.class,
    description = {
      "Rehearse disaster recovery and measure it: start FILE's topology (database, gateway,"
          + " instances) in this process, send a bounded order load through the gateway"
          + " recording every acknowledged order, inject the disaster, let the DR manager carry"
          + " out the runbook (approved automatically), then measure RTO (fault to the first"
          + " order acknowledged from the DR region), RPO (acknowledged orders missing"
          + " afterwards and the window they were acknowledged in) and each step's duration,"
          + " against the topology's dr.rto and dr.rpo. Every drill is recorded (`bulwark drill"
          + " history`).",
      "Exit 0 when the targets were met (activation succeeded, no duplicate order), 1 when one"
          + " was missed or the activation failed, 2 for bad input."
    })
public final class DrillCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "topology file")
  Path file;

  @Option(
      names = "--disaster",
      paramLabel = "KIND",
      description =
          "what to inject: region-loss (zone-loss, db-primary-loss, network-partition"
              + " are not built yet)")
  String disaster;

  @Option(
      names = "--approve",
      paramLabel = "MODE",
      defaultValue = "auto",
      description = "who approves the activation: auto (default: the drill approves it)")
  String approve;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Option(names = "--report", paramLabel = "HTML", description = "also write an HTML report")
  Path report;

  @Option(
      names = "--orders-per-second",
      paramLabel = "N",
      defaultValue = "20",
      description = "the order load's rate (default: ${DEFAULT-VALUE})")
  double ordersPerSecond;

  @Option(
      names = "--warm-up",
      paramLabel = "DURATION",
      defaultValue = "5s",
      description = "how long the load runs before the fault (default: ${DEFAULT-VALUE})")
  String warmUp;

  @Mixin TimeoutOption timeout;

  @Option(
      names = "--home",
      paramLabel = "DIR",
      description = "state directory (default: $BULWARK_HOME or ~/.bulwark)")
  Path home;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Drill.Options options;
    Topology topology;
    try {
      if (file == null) {
        throw new IllegalArgumentException(
            "FILE is needed: the topology to drill (examples/pilot-light.yaml), or `bulwark drill"
                + " history`");
      }
      if (disaster == null) {
        throw new IllegalArgumentException("--disaster is needed: region-loss");
      }
      if (!approve.equals("auto")) {
        throw new IllegalArgumentException(
            "--approve must be auto (the drill approves the activation itself), got \""
                + approve
                + "\"");
      }
      options =
          new Drill.Options(
              Disaster.of(disaster),
              ordersPerSecond,
              Durations.parse("--warm-up", warmUp),
              timeout.value(),
              Duration.ofSeconds(30));
      topology = load(file);
      // refuse what the manager cannot fail over before starting anything
      DisasterRecoveryManager.runbook(topology, file.toString(), Clock.systemUTC());
      if (topology.database().isEmpty()) {
        throw new IllegalArgumentException(
            file + ": no database section, so a drill has nothing to count lost orders in");
      }
    } catch (IllegalArgumentException | RecoveryException.NotPossible e) {
      err.println("bulwark: " + e.getMessage());
      err.flush();
      return 2;
    }

    Path stateHome = RunState.runRoot(home).getParent();
    DrillHistory history = DrillHistory.in(stateHome);
    Path work = history.dir(topology.name()).resolve("work-" + System.currentTimeMillis());
    DrillResult result;
    // a drill stopped with Ctrl-C or SIGTERM still stops what it started
    AtomicReference<DrillStack> started = new AtomicReference<>();
    AtomicReference<ManagerState> engineState = new AtomicReference<>();
    Thread hook =
        new Thread(
            () -> {
              Optional.ofNullable(started.get()).ifPresent(DrillStack::close);
              Optional.ofNullable(engineState.get()).ifPresent(ManagerState::close);
            },
            "bulwark-drill-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try (ManagerState state = ManagerState.open(work.resolve("pg"));
        DrillStack stack =
            DrillStack.start(topology, file.toString(), work, Duration.ofSeconds(90), err)) {
      engineState.set(state);
      started.set(stack);
      result = Drill.run(stack, state.database(), options, Clock.systemUTC(), err);
    } catch (RecoveryException e) {
      return Exits.of(err, e);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run: it stops what was started
      }
    }
    history.append(result);
    if (report != null) {
      try {
        DrillReport.write(report, result);
      } catch (UncheckedIOException e) {
        err.println("bulwark: " + e.getMessage());
      }
    }
    if (result.passed()) {
      delete(work);
    } else {
      err.println("drill: logs and database kept in " + work);
    }
    if (json) {
      out.println(Json.write(result.toJson()));
    } else {
      print(out, result);
    }
    out.flush();
    err.flush();
    return result.passed() ? 0 : 1;
  }

  private static Topology load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no topology file " + file);
    }
    try {
      return TopologyFile.load(file);
    } catch (InvalidTopologyException e) {
      throw new IllegalArgumentException(e.errors().get(0).toString(), e);
    }
  }

  private static void print(PrintWriter out, DrillResult r) {
    out.printf(
        "drill %s: %s, %s from %s to %s%n",
        r.topology(), r.disaster().word(), r.strategy(), r.fromRegion(), r.toRegion());
    out.printf(
        "  RTO  %s (target %s)%n",
        r.rtoSeconds().isPresent()
            ? String.format("%.1f s", r.rtoSeconds().getAsDouble())
            : "not recovered",
        Durations.format(Duration.ofSeconds(r.targetRtoSeconds())));
    out.printf(
        "  RPO  %.1f s: %d of %d acknowledged orders lost%s (target %s)%n",
        r.rpoSeconds(),
        r.lostIds().size(),
        r.acknowledged(),
        r.lostIds().isEmpty() ? "" : " " + r.lostIds(),
        Durations.format(Duration.ofSeconds(r.targetRpoSeconds())));
    out.printf(
        "  %s%n",
        r.duplicateIds().isEmpty()
            ? "no order recorded twice"
            : "orders recorded twice: " + r.duplicateIds());
    out.printf(
        "  activation %s%s%n",
        r.activationStatus(), r.activationError() == null ? "" : " (" + r.activationError() + ")");
    for (StepRecord s : r.steps()) {
      out.printf("    %-34s %-9s %7.1f s%n", s.state(), s.status(), r.stepSeconds(s));
    }
    out.println(r.targetsMet() ? "targets met" : "TARGETS MISSED");
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // leftovers of a passed drill are harmless
    }
  }
}
