package io.bulwark.topology.cli;

import io.bulwark.kernel.Json;
import io.bulwark.topology.Topology;
import io.bulwark.topology.analysis.TopologyAnalysis;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark analyze FILE}: composite availability with its formula, expected downtime, SPOFs
 * by layer with countermeasures, DR fit and cost class.
 */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description =
        "Analyse a topology without running it: composite availability (series for dependencies, parallel for redundant copies), downtime per year, single points of failure by layer with countermeasures, whether the DR strategy meets its RPO/RTO, and a cost class. Exit 0 when analysed (1 with --fail-on-spof when SPOFs exist), 2 for an invalid file.")
public final class AnalyzeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "topology file (bulwark.yaml)")
  Path file;

  @Option(names = "--json", description = "print the analysis as JSON")
  boolean json;

  @Option(
      names = "--html",
      paramLabel = "OUT",
      description = "also write an HTML report with a diagram")
  Path html;

  @Option(names = "--fail-on-spof", description = "exit 1 when any single point of failure exists")
  boolean failOnSpof;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<Topology> t = Loading.load(file, err);
    if (t.isEmpty()) {
      return Loading.BAD_INPUT;
    }
    TopologyAnalysis a = TopologyAnalysis.of(t.get());
    if (html != null) {
      try {
        Files.writeString(html, HtmlReport.render(a, file.toString()), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return Loading.badInput(err, "cannot write " + html + ": " + e.getMessage());
      }
    }
    if (json) {
      out.println(Json.write(AnalysisReport.json(a, file.toString())));
    } else {
      out.print(AnalysisReport.text(a, file.toString()));
      if (html != null) {
        out.println("HTML report: " + html);
      }
    }
    out.flush();
    return failOnSpof && !a.spofs().isEmpty() ? 1 : 0;
  }
}
