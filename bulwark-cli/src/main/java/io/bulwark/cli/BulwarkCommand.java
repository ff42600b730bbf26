package io.bulwark.cli;

import io.bulwark.commerce.cli.ProjectionsCommand;
import io.bulwark.recovery.cli.DrActivateCommand;
import io.bulwark.recovery.cli.DrFailbackCommand;
import io.bulwark.recovery.cli.DrStatusCommand;
import io.bulwark.states.cli.StatesCommand;
import io.bulwark.topology.cli.AnalyzeCommand;
import io.bulwark.topology.cli.AvailabilityCommand;
import io.bulwark.topology.cli.DrCommand;
import io.bulwark.topology.cli.RunbookCommand;
import io.bulwark.topology.cli.TopologyCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The root {@code bulwark} command. Exit codes everywhere: 0 success, 1 a check failed, 2 bad input
 * (unknown option, invalid file, value out of range).
 */
@Command(
    name = "bulwark",
    mixinStandardHelpOptions = true,
    versionProvider = BulwarkCommand.Version.class,
    description = "Resilient commerce platform and the control plane that keeps it up.",
    subcommands = {
      DemoCommand.class,
      ServeCommand.class,
      AvailabilityCommand.class,
      AnalyzeCommand.class,
      DrCommand.class,
      io.bulwark.recovery.cli.DrillCommand.class,
      RunbookCommand.class,
      TopologyCommand.class,
      io.bulwark.fleet.cli.UpCommand.class,
      io.bulwark.fleet.cli.DownCommand.class,
      io.bulwark.fleet.cli.ScenarioCommand.class,
      StatesCommand.class,
      ProjectionsCommand.class,
      io.bulwark.dr.cli.DbCommand.class,
      io.bulwark.messaging.cli.KafkaCommand.class,
      io.bulwark.messaging.cli.DlqCommand.class,
      io.bulwark.diagnose.cli.DiagnoseCommand.class,
      io.bulwark.diagnose.cli.ChaosCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class BulwarkCommand implements Callable<Integer> {

  /** Exit code when the command ran and the thing it checked is fine. */
  public static final int OK = 0;

  /** Exit code when the command ran and found a failed check. */
  public static final int CHECK_FAILED = 1;

  /** Exit code for bad input: unknown options, invalid files or values. */
  public static final int BAD_INPUT = 2;

  @Spec CommandSpec spec;

  /** No command given: the help on stderr and exit 2, as git does. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return BAD_INPUT;
  }

  /** A command line with Bulwark's exit codes and error handling wired in. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new BulwarkCommand());
    // `diagnose eval` starts a shop when none runs, which only the CLI can wire
    cl.getSubcommands().get("diagnose").addSubcommand(new DiagnoseEvalCommand());
    // `scenario black-friday` runs the shop, which only the CLI can start
    cl.getSubcommands().get("scenario").addSubcommand(new BlackFridayCommand());
    // `dr status|activate|failback` attach to a running `up`, which the topology module cannot see
    cl.getSubcommands().get("dr").addSubcommand(new DrStatusCommand());
    cl.getSubcommands().get("dr").addSubcommand(new DrActivateCommand());
    cl.getSubcommands().get("dr").addSubcommand(new DrFailbackCommand());
    cl.setExitCodeExceptionMapper(e -> BAD_INPUT);
    cl.setExecutionExceptionHandler(new ErrorHandler());
    cl.setParameterExceptionHandler(ErrorHandler::onBadParameters);
    return cl;
  }

  /** Reads the version stamped into the jar at build time. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Version.class.getResourceAsStream("/bulwark-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "bulwark " + p.getProperty("version", "dev"),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
