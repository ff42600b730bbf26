package io.bulwark.fleet.cli;

import io.bulwark.fleet.scenario.Scenario;
import io.bulwark.fleet.scenario.ScenarioOptions;
import io.bulwark.fleet.scenario.ScenarioResult;
import io.bulwark.kernel.Durations;
import io.bulwark.kernel.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
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
      "Scenarios: instance-crash, rolling-refresh, zone-loss, weights, header-routing.",
      "Prints requests sent/succeeded/failed, p50/p99 latency and the scenario's facts.",
      "Exit 0 when the claim holds, 1 when it fails, 2 for bad input."
    })
public final class ScenarioCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
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

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Scenario scenario = Scenario.named(name).orElse(null);
    if (scenario == null) {
      return Exits.badInput(
          err,
          "unknown scenario \""
              + name
              + "\"; scenarios are "
              + String.join(", ", Scenario.all().stream().map(Scenario::name).toList()));
    }
    ScenarioOptions options;
    try {
      Duration d = Durations.parse("--duration", duration);
      options =
          new ScenarioOptions(
              d,
              rate,
              line -> {
                err.println("scenario " + name + ": " + line);
                err.flush();
              });
    } catch (IllegalArgumentException e) {
      return Exits.badInput(err, e.getMessage());
    }
    ScenarioResult result;
    try {
      result = scenario.run(options);
    } catch (RuntimeException e) {
      err.println("bulwark: scenario " + name + " could not run: " + e.getMessage());
      err.flush();
      return Exits.CHECK_FAILED;
    }
    if (json) {
      out.println(Json.write(result.json()));
    } else {
      out.print(result.text());
    }
    out.flush();
    return result.passed() ? Exits.OK : Exits.CHECK_FAILED;
  }
}
