package io.bulwark.fleet.cli;

import picocli.CommandLine;

/**
 * Runs {@code up}, {@code down} or {@code scenario} as its own process, as the bulwark CLI does.
 */
public final class FleetCliMain {
  private FleetCliMain() {}

  @CommandLine.Command(
      name = "bulwark",
      subcommands = {UpCommand.class, DownCommand.class, ScenarioCommand.class})
  static final class Root {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new Root()).execute(args));
  }
}
