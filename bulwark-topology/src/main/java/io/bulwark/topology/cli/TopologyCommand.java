package io.bulwark.topology.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import io.bulwark.topology.InvalidTopologyException;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyError;
import io.bulwark.topology.TopologyFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bulwark topology}: validate topology files and print their JSON Schema. */
@Command(
    name = "topology",
    mixinStandardHelpOptions = true,
    description = "Validate topology files (bulwark.yaml) and print their JSON Schema.",
    subcommands = {TopologyCommand.Validate.class, TopologyCommand.Schema.class})
public final class TopologyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Loading.BAD_INPUT;
  }

  /** {@code bulwark topology validate FILE}: every error, exit 2 if invalid. */
  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = "Check a topology file; print every error as file:line: path: problem.")
  static final class Validate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "topology file (bulwark.yaml)")
    Path file;

    @Option(
        names = "--json",
        description =
            "print {\"file\",\"valid\",\"errors\":[{\"line\",\"path\",\"message\"}],…} on stdout")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectNode n = Json.object();
        n.put("file", file.toString());
        try {
          Topology t = TopologyFile.load(file);
          n.put("valid", true);
          n.putArray("errors");
          n.put("regions", t.regions().size());
          n.put("services", t.services().size());
          n.put("profile", t.profile().word());
        } catch (InvalidTopologyException e) {
          n.put("valid", false);
          ArrayNode errors = n.putArray("errors");
          for (TopologyError error : e.errors()) {
            errors
                .addObject()
                .put("file", error.file())
                .put("line", error.line())
                .put("path", error.path())
                .put("message", error.message());
          }
        }
        out.println(Json.write(n));
        out.flush();
        return n.get("valid").asBoolean() ? 0 : Loading.BAD_INPUT;
      }
      Optional<Topology> t = Loading.load(file, spec.commandLine().getErr());
      if (t.isEmpty()) {
        return Loading.BAD_INPUT;
      }
      out.println(
          file
              + ": valid ("
              + t.get().regions().size()
              + " region(s), "
              + t.get().services().size()
              + " service(s), profile "
              + t.get().profile().word()
              + ")");
      out.flush();
      return 0;
    }
  }

  /** {@code bulwark topology schema}: the JSON Schema for editors. */
  @Command(
      name = "schema",
      mixinStandardHelpOptions = true,
      description = "Print the JSON Schema of bulwark.yaml (for editor completion and checks).")
  static final class Schema implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().print(TopologyFile.jsonSchema());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
