package io.bulwark.fleet.cli;

import io.bulwark.fleet.load.LoadGenerator;
import io.bulwark.fleet.scenario.Scenario;
import io.bulwark.fleet.scenario.ScenarioOptions;
import io.bulwark.fleet.scenario.ScenarioResult;
import io.bulwark.kernel.Durations;
import io.bulwark.kernel.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark scenario NAME}: runs one failure scenario against a gateway and fleet of real
 * processes it starts on free ports, prints what happened, and exits 1 when the claim fails.
 */
@Command(
    name = "scenario",
    mixinStandardHelpOptions = true,
    description = {
      "Run a self-contained failure scenario: it starts its own gateway and instances (child"
          + " processes on free ports), runs load through the gateway, injects the fault and"
          + " stops everything.",
      "Scenarios: instance-crash, rolling-refresh, zone-loss, weights, header-routing; and"
          + " black-friday, the shop under a sales peak (see scenario black-friday --help).",
      "Prints requests sent/succeeded/failed, p50/p99 latency and the scenario's facts on stdout"
          + " (progress goes to stderr); Ctrl-C prints what was measured so far.",
      "Exit 0 when the claim holds, 1 when it fails, 2 for bad input."
    })
public final class ScenarioCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  // optional for picocli, which would otherwise demand it before `scenario black-friday` too
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "NAME",
      description = "instance-crash, rolling-refresh, zone-loss, weights or header-routing")
  String name;

  @Option(names = "--json", description = "print the result as one JSON object")
  boolean json;

  @Option(
      names = "--duration",
      defaultValue = "10s",
      description = "how long the load runs, e.g. 10s (default: ${DEFAULT-VALUE})")
  String duration;

  @Option(
      names = "--rate",
      defaultValue = "200",
      description = "requests per second through the gateway (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(
      names = "--max-p99",
      paramLabel = "DURATION",
      description =
          "fail the scenario when the p99 latency through the gateway exceeds this, e.g. 250ms")
  String maxP99;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (name == null) {
      return Exits.badInput(err, "Missing required parameter: 'NAME'");
    }
    Scenario scenario = Scenario.named(name).orElse(null);
    if (scenario == null) {
      return Exits.badInput(
          err,
          "unknown scenario \""
              + name
              + "\"; scenarios are "
              + String.join(", ", Scenario.all().stream().map(Scenario::name).toList()));
    }
    AtomicReference<LoadGenerator> load = new AtomicReference<>();
    ScenarioOptions options;
    try {
      Duration d = Durations.parse("--duration", duration);
      Duration bound = maxP99 == null ? null : Durations.parse("--max-p99", maxP99);
      options =
          new ScenarioOptions(
              d,
              rate,
              line -> {
                err.println("scenario " + name + ": " + line);
                err.flush();
              },
              bound,
              load::set);
    } catch (IllegalArgumentException e) {
      return Exits.badInput(err, e.getMessage());
    }
    // Ctrl-C (or SIGTERM) prints what the load measured up to then, once, instead of nothing
    AtomicBoolean printed = new AtomicBoolean();
    Thread partial =
        new Thread(
            () -> {
              LoadGenerator l = load.get();
              if (l != null && printed.compareAndSet(false, true)) {
                l.sofar().ifPresent(r -> print(out, ScenarioResult.interrupted(scenario, r)));
              }
            },
            "scenario-partial-summary");
    Runtime.getRuntime().addShutdownHook(partial);
    ScenarioResult result;
    try {
      result = scenario.run(options);
    } catch (RuntimeException e) {
      err.println("bulwark: scenario " + name + " could not run: " + e.getMessage());
      err.flush();
      return Exits.CHECK_FAILED;
    } finally {
      removeHook(partial);
    }
    if (!printed.compareAndSet(false, true)) {
      return Exits.CHECK_FAILED; // interrupted: the hook printed the partial summary
    }
    print(out, result);
    return result.passed() ? Exits.OK : Exits.CHECK_FAILED;
  }

  private void print(PrintWriter out, ScenarioResult result) {
    if (json) {
      out.println(Json.write(result.json()));
    } else {
      out.print(result.text());
    }
    out.flush();
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting and runs the hook
    }
  }
}
