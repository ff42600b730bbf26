package io.bulwark.states.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code bulwark states}: run and validate Amazon States Language state machines. */
@Command(
    name = "states",
    mixinStandardHelpOptions = true,
    description =
        "Run and validate Amazon States Language state machines; manage durable executions on a"
            + " server.",
    subcommands = {
      RunCommand.class,
      ValidateCommand.class,
      CreateCommand.class,
      StartCommand.class,
      DescribeCommand.class,
      ListCommand.class,
      HistoryCommand.class,
      StopCommand.class,
      RedriveCommand.class
    })
public final class StatesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }
}
