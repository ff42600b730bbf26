package io.bulwark.fleet.cli;

import java.io.PrintWriter;

/** Bulwark's exit codes, and the one-line message for bad input. */
final class Exits {
  static final int OK = 0;
  static final int CHECK_FAILED = 1;
  static final int BAD_INPUT = 2;

  private Exits() {}

  static int badInput(PrintWriter err, String message) {
    err.println("bulwark: " + message);
    err.flush();
    return BAD_INPUT;
  }
}
