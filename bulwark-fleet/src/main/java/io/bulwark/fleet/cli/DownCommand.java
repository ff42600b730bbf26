package io.bulwark.fleet.cli;

import io.bulwark.topology.InvalidTopologyException;
import io.bulwark.topology.TopologyFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bulwark down [FILE]}: stops what {@code bulwark up} runs (SIGTERM, then waits). */
@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description = {
      "Stop a topology started with `bulwark up`: sends it SIGTERM and waits until the gateway"
          + " and every instance have stopped.",
      "Without FILE it stops the only running topology (naming them all when several run).",
      "Exit 0 when stopped or nothing ran, 1 when it did not stop in time, 2 for bad input."
    })
public final class DownCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "FILE",
      description = "the topology file given to `bulwark up`")
  Path file;

  @Option(names = "--home", description = "state directory (default: $BULWARK_HOME or ~/.bulwark)")
  Path home;

  @Option(
      names = "--timeout",
      defaultValue = "60",
      description = "seconds to wait for a clean stop before killing (default: ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    Path root = RunState.runRoot(home);
    Path dir;
    if (file != null) {
      try {
        dir = root.resolve(TopologyFile.load(file).name());
      } catch (InvalidTopologyException e) {
        return Exits.badInput(err, file + " is not a valid topology: " + e.errors().get(0));
      }
    } else {
      List<Path> running = RunState.all(root);
      if (running.isEmpty()) {
        err.println("nothing is up (no state in " + root + ")");
        err.flush();
        return Exits.OK;
      }
      if (running.size() > 1) {
        return Exits.badInput(
            err,
            "several topologies are up ("
                + String.join(", ", running.stream().map(p -> p.getFileName().toString()).toList())
                + "); name the file: bulwark down FILE");
      }
      dir = running.get(0);
    }
    Optional<RunState> state = RunState.read(dir);
    if (state.isEmpty()) {
      err.println("nothing is up for " + dir.getFileName());
      err.flush();
      return Exits.OK;
    }
    Optional<ProcessHandle> process = state.get().process();
    if (process.isEmpty()) {
      removeState(dir);
      err.println(
          state.get().name() + " was not running (pid " + state.get().pid() + "); state removed");
      err.flush();
      return Exits.OK;
    }
    ProcessHandle up = process.get();
    err.println("stopping " + state.get().name() + " (pid " + up.pid() + ") ...");
    err.flush();
    up.destroy();
    try {
      up.onExit().get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      up.descendants().forEach(ProcessHandle::destroyForcibly);
      up.destroyForcibly();
      removeState(dir);
      err.println(
          "bulwark: "
              + state.get().name()
              + " did not stop within "
              + timeoutSeconds
              + " s; killed it and its instances");
      err.flush();
      return Exits.CHECK_FAILED;
    } catch (ExecutionException e) {
      // onExit never fails.
    }
    removeState(dir);
    err.println("stopped " + state.get().name());
    err.flush();
    return Exits.OK;
  }

  private static void removeState(Path dir) {
    try {
      Files.deleteIfExists(dir.resolve(RunState.FILE));
    } catch (IOException e) {
      // Recognised as stale next time.
    }
  }
}
