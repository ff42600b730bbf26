package io.bulwark.cli;

import io.bulwark.kernel.Durations;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.Trees;
import io.bulwark.server.ServerConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bulwark scenario black-friday}: the seed's sales peak, measured against its figures. */
@Command(
    name = "black-friday",
    mixinStandardHelpOptions = true,
    description = {
      "The Black Friday case of the seed (SPEC 11.5): starts PostgreSQL, the payment network"
          + " simulator, the shop as an instance group behind the gateway (bot rules, per-client"
          + " rate limits, edge cache), then sends an open-model load that ramps from a baseline to"
          + " --peak times it, with VIP customers, bots and a scalper, and a payment-network spike"
          + " in the middle of the peak. The group is pre-scaled by schedule before the ramp and"
          + " autoscaled on CPU. Afterwards every acknowledged order is reconciled against the"
          + " database and the card network.",
      "Prints availability, mean and p99 latency (VIP separately), orders lost, stock oversold,"
          + " double charges, bot requests blocked and instance-seconds against provisioning the"
          + " peak for the whole window; progress goes to stderr.",
      "Exit 0 when the seed's four figures are met (availability >= 99.98 %%, mean <= 180 ms,"
          + " nothing lost, cost >= 40 %% below peak provisioning), 1 when one is missed, 2 for bad"
          + " input."
    })
final class BlackFridayCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Option(
      names = "--peak",
      defaultValue = "50",
      description =
          "the peak's arrival rate as a multiple of the baseline (default: ${DEFAULT-VALUE})")
  double peak;

  @Option(
      names = "--duration",
      defaultValue = "5m",
      description = "the whole load, 30s..12m (default: ${DEFAULT-VALUE})")
  String duration;

  @Option(
      names = "--baseline-rate",
      defaultValue = "4",
      paramLabel = "RPS",
      description =
          "requests per second before and after the peak (default: ${DEFAULT-VALUE}; the peak is"
              + " this times --peak, sized for a two-core machine)")
  double baselineRate;

  @Option(
      names = "--peak-instances",
      defaultValue = "8",
      paramLabel = "N",
      description =
          "instances the schedule pre-scales to for the peak, 2..32 (default: ${DEFAULT-VALUE});"
              + " the baseline runs 2")
  int peakInstances;

  @Option(
      names = "--doorbuster-stock",
      defaultValue = "300",
      paramLabel = "UNITS",
      description = "stock of the limited product most orders want (default: ${DEFAULT-VALUE})")
  int doorbusterStock;

  @Option(names = "--json", description = "print the result as one JSON object")
  boolean json;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "also write an HTML report charting the run, e.g. bf.html")
  Path report;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration d = Durations.parse("--duration", duration);
    if (d.compareTo(Duration.ofSeconds(30)) < 0 || d.compareTo(Duration.ofMinutes(12)) > 0) {
      throw new UserInputException("--duration must be in 30s..12m but was " + duration);
    }
    if (!(peak >= 1 && peak <= 1000)) {
      throw new UserInputException("--peak must be in 1..1000 but was " + peak);
    }
    if (!(baselineRate > 0 && baselineRate * peak <= 5000)) {
      throw new UserInputException(
          "--baseline-rate must be > 0 and at most 5000 / --peak at the peak but was "
              + baselineRate);
    }
    if (peakInstances < 2 || peakInstances > 32) {
      throw new UserInputException("--peak-instances must be in 2..32 but was " + peakInstances);
    }
    if (doorbusterStock < 1) {
      throw new UserInputException("--doorbuster-stock must be >= 1 but was " + doorbusterStock);
    }
    if (report != null
        && report.toAbsolutePath().getParent() != null
        && !Files.isDirectory(report.toAbsolutePath().getParent())) {
      throw new UserInputException("--report: no directory " + report.toAbsolutePath().getParent());
    }
    boolean portGiven = spec.commandLine().getParseResult().hasMatchedOption("--port");
    Path home = server.home != null ? null : Files.createTempDirectory("bulwark-black-friday-");
    ServerConfig.Builder config = server.config("scenario-black-friday", 0);
    if (home != null) {
      config.home(home);
    }
    ServerConfig cfg = config.build();
    BlackFriday.Settings settings =
        new BlackFriday.Settings(
            peak, d, baselineRate, 2, peakInstances, doorbusterStock, portGiven ? server.port : 0);
    BlackFridayResult result;
    try {
      result =
          new BlackFriday(
                  settings,
                  line -> {
                    err.println("black-friday: " + line);
                    err.flush();
                  })
              .run(cfg, server, err);
    } catch (UserInputException e) {
      throw e;
    } catch (Exception e) {
      err.println(
          "bulwark: scenario black-friday could not run: "
              + e.getMessage()
              + "; logs in "
              + cfg.instanceDir().resolve("logs"));
      err.flush();
      return BulwarkCommand.CHECK_FAILED;
    }
    if (report != null) {
      Files.writeString(report, BlackFridayReport.render(result), StandardCharsets.UTF_8);
      err.println("black-friday: report written to " + report);
    }
    if (json) {
      out.println(Json.write(result.json()));
    } else {
      out.print(result.text());
    }
    out.flush();
    if (home != null) {
      Trees.deleteQuietly(home);
    }
    return result.passed() ? BulwarkCommand.OK : BulwarkCommand.CHECK_FAILED;
  }
}
