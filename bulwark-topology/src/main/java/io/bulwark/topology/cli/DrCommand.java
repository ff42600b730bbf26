package io.bulwark.topology.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code bulwark dr}: disaster recovery planning (and, later, failover and drills). */
@Command(
    name = "dr",
    mixinStandardHelpOptions = true,
    description = "Disaster recovery: choose a strategy for RPO/RTO targets.",
    subcommands = {DrPlanCommand.class})
public final class DrCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Loading.BAD_INPUT;
  }
}
