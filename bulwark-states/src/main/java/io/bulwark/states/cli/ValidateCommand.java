package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.states.StateMachine;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bulwark states validate FILE}: prints every error with its JSON path. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Validate an ASL definition; exit 2 with every error if invalid.")
public final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "ASL definition file (JSON)")
  Path file;

  @Override
  public Integer call() {
    JsonNode def;
    try {
      def = JsonFiles.read(file, "definition");
    } catch (JsonFiles.Unreadable e) {
      spec.commandLine().getErr().println("bulwark: " + e.getMessage());
      return 2;
    }
    List<String> errors = StateMachine.validate(def);
    errors.forEach(e -> spec.commandLine().getErr().println(file + ": " + e));
    if (errors.isEmpty()) {
      spec.commandLine().getOut().println(file + ": valid");
    }
    return errors.isEmpty() ? 0 : 2;
  }
}
