package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.states.ExecutionResult;
import io.bulwark.states.Sleeper;
import io.bulwark.states.StateMachine;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bulwark states run}: one execution in-process, one JSON object on stdout. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run one execution of a state machine and print its result as JSON.")
public final class RunCommand implements Callable<Integer> {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(names = "--definition", required = true, description = "ASL definition file (JSON)")
  Path definition;

  @Option(names = "--input", description = "input JSON file (default {})")
  Path input;

  @Option(names = "--mock-config", description = "Step Functions Local mock config file")
  Path mockConfig;

  @Option(names = "--test-case", description = "test case name in the mock config")
  String testCase;

  @Option(names = "--state-machine", description = "state machine name in the mock config")
  String stateMachine;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    JsonNode def;
    JsonNode in;
    try {
      def = JsonFiles.read(definition, "--definition");
      in = input == null ? MAPPER.createObjectNode() : JsonFiles.read(input, "--input");
    } catch (JsonFiles.Unreadable e) {
      err.println("bulwark: " + e.getMessage());
      return 2;
    }
    List<String> errors = StateMachine.validate(def);
    if (!errors.isEmpty()) {
      errors.forEach(e -> err.println(definition + ": " + e));
      return 2;
    }
    MockConfig tasks = MockConfig.none();
    if (mockConfig != null) {
      JsonNode config;
      try {
        config = JsonFiles.read(mockConfig, "--mock-config");
      } catch (JsonFiles.Unreadable e) {
        err.println("bulwark: " + e.getMessage());
        return 2;
      }
      if (testCase == null) {
        err.println("bulwark: --test-case is required with --mock-config");
        return 2;
      }
      try {
        tasks = MockConfig.of(config, stateMachine, testCase, mockConfig.toString());
      } catch (IllegalArgumentException e) {
        err.println("bulwark: " + e.getMessage());
        return 2;
      }
    }
    String name = stateMachine != null ? stateMachine : "StateMachine";
    ExecutionResult result = StateMachine.of(def.toString(), name).run(in, tasks, Sleeper.real());
    spec.commandLine().getOut().println(result.toJson());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
