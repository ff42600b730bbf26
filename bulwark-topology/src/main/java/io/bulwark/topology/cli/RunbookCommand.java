package io.bulwark.topology.cli;

import io.bulwark.kernel.Json;
import io.bulwark.topology.Topology;
import io.bulwark.topology.runbook.Runbook;
import io.bulwark.topology.runbook.RunbookAsl;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark runbook FILE}: the DR runbook of a topology, as Markdown, JSON or a States
 * Language state machine.
 */
@Command(
    name = "runbook",
    mixinStandardHelpOptions = true,
    description =
        "Write the DR runbook of a topology: numbered steps (detect, fence, promote, start standby, scale, switch traffic, update monitoring, verify), each with what to do, expected duration, success check and rollback, then update external dependencies and communication naming the file's contacts. Every step is done by hand until Bulwark's DR manager runs them.")
public final class RunbookCommand implements Callable<Integer> {

  /** Output formats. */
  enum Format {
    markdown,
    json,
    asl
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "topology file (bulwark.yaml)")
  Path file;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "markdown (default), json, or asl: an Amazon States Language state machine that runs"
              + " the steps as a durable execution (each step a task completed by its task token;"
              + " a failed step rolls back the ones before it)")
  Format format = Format.markdown;

  @Option(names = "--json", description = "print the runbook as JSON (same as --format json)")
  boolean json;

  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<Topology> t = Loading.load(file, err);
    if (t.isEmpty()) {
      return Loading.BAD_INPUT;
    }
    Runbook r;
    try {
      r = Runbook.of(t.get(), file.toString(), clock);
    } catch (IllegalArgumentException e) {
      return Loading.badInput(err, e.getMessage());
    }
    if (json) {
      format = Format.json;
    }
    out.print(
        switch (format) {
          case json -> Json.write(RunbookWriter.json(r)) + "\n";
          case asl -> pretty(RunbookAsl.of(r)) + "\n";
          case markdown -> RunbookWriter.markdown(r);
        });
    out.flush();
    return 0;
  }

  private static String pretty(Object value) {
    try {
      return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
