package io.bulwark.topology.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark dr}: disaster recovery planning; the CLI adds {@code status} and {@code activate},
 * which attach to a running {@code bulwark up}.
 */
@Command(
    name = "dr",
    mixinStandardHelpOptions = true,
    description =
        "Disaster recovery: choose a strategy for RPO/RTO targets (plan), and for a running"
            + " `bulwark up`: its DR readiness (status) and the failover (activate).",
    subcommands = {DrPlanCommand.class})
public final class DrCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Loading.BAD_INPUT;
  }
}
