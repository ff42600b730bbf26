package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A runbook is something people follow under pressure: every {@code bulwark …} command it names, in
 * any step, check or rollback, must be one the CLI has.
 */
class RunbookCommandsExistTest {

  private static final Pattern NAMED =
      Pattern.compile("\\bbulwark ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?");

  @Test
  void everyCommandARunbookNamesExists() throws Exception {
    List<Path> examples;
    try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
      examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    int runbooks = 0;
    List<String> named = new ArrayList<>();
    for (Path example : examples) {
      StringWriter out = new StringWriter();
      CommandLine cli = BulwarkCommand.commandLine();
      cli.setOut(new PrintWriter(out));
      cli.setErr(new PrintWriter(new StringWriter()));
      if (cli.execute("runbook", "--json", example.toString()) != 0) {
        continue; // no dr section: no runbook
      }
      runbooks++;
      texts(Json.parse(out.toString()), named);
    }
    assertThat(runbooks).as("examples with a runbook").isGreaterThanOrEqualTo(4);
    CommandLine root = BulwarkCommand.commandLine();
    for (String text : named) {
      Matcher m = NAMED.matcher(text);
      while (m.find()) {
        CommandLine command = root.getSubcommands().get(m.group(1));
        assertThat(command).as("'%s' in: %s", m.group(), text).isNotNull();
        if (!command.getSubcommands().isEmpty() && m.group(2) != null) {
          assertThat(command.getSubcommands())
              .as("'%s' in: %s", m.group(), text)
              .containsKey(m.group(2));
        }
      }
    }
  }

  private static void texts(JsonNode n, List<String> into) {
    if (n.isTextual()) {
      into.add(n.asText());
    }
    n.forEach(child -> texts(child, into));
  }
}
