package io.bulwark.recovery.cli;

import io.bulwark.recovery.RecoveryException;
import java.io.PrintWriter;

/** Exit codes of the {@code bulwark dr} commands: 0 success, 1 failed, 2 bad input. */
final class Exits {
  private Exits() {}

  /** Prints {@code e} and returns 2 when it is bad input, 1 when something failed. */
  static int of(PrintWriter err, RecoveryException e) {
    err.println("bulwark: " + e.getMessage());
    err.flush();
    return e instanceof RecoveryException.NotPossible ? 2 : 1;
  }
}
