package io.bulwark.topology.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs a command the way the root command would, capturing what it prints. */
record Run(int exit, String out, String err) {

  static Run of(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static String example(String name) {
    Path p = Path.of("..", "examples", name);
    if (!Files.exists(p)) {
      throw new IllegalStateException("missing example " + p.toAbsolutePath());
    }
    return p.toString();
  }
}
