package io.bulwark.cli;

import io.bulwark.kernel.Problem;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into one clear line on stderr and the right exit code; never a stack trace. The
 * cause is logged at debug level for whoever runs with {@code BULWARK_LOG_LEVEL=debug}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ErrorHandler.class);

  @Override
  public int handleExecutionException(
      Exception e, CommandLine commandLine, ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    log.debug("command failed", e);
    if (e instanceof UserInputException || e instanceof IllegalArgumentException) {
      err.println("bulwark: " + e.getMessage());
      return BulwarkCommand.BAD_INPUT;
    }
    if (e instanceof Problem p) {
      err.println("bulwark: " + p.detail());
      return p.status() < 500 ? BulwarkCommand.BAD_INPUT : BulwarkCommand.CHECK_FAILED;
    }
    err.println("bulwark: " + describe(e));
    return BulwarkCommand.CHECK_FAILED;
  }

  static int onBadParameters(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println("bulwark: " + e.getMessage());
    err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
    return BulwarkCommand.BAD_INPUT;
  }

  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
        sb.append(": ").append(c.getMessage());
      }
    }
    return sb.toString();
  }
}
