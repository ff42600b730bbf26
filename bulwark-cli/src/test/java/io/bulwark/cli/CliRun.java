package io.bulwark.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One {@code bulwark} command run in this JVM: its exit code and what it printed. */
record CliRun(int exit, String out, String err) {

  /** Runs {@code bulwark args…} with the real command line (exit codes, error handling). */
  static CliRun bulwark(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = BulwarkCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }
}
