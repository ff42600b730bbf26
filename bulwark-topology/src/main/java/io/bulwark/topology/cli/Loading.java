package io.bulwark.topology.cli;

import io.bulwark.topology.InvalidTopologyException;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyError;
import io.bulwark.topology.TopologyFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/** Loads a topology for a command, printing every error to stderr when it is invalid. */
public final class Loading {

  /** Exit code for bad input. */
  static final int BAD_INPUT = 2;

  private Loading() {}

  /** The topology in {@code file}; empty after printing its errors to {@code err}. */
  public static Optional<Topology> load(Path file, PrintWriter err) {
    try {
      return Optional.of(TopologyFile.load(file));
    } catch (InvalidTopologyException e) {
      for (TopologyError error : e.errors()) {
        err.println(error);
      }
      int n = e.errors().size();
      err.println(
          "bulwark: "
              + file
              + " is not a valid topology ("
              + n
              + (n == 1 ? " error)" : " errors)"));
      err.flush();
      return Optional.empty();
    }
  }

  static int badInput(PrintWriter err, String message) {
    err.println("bulwark: " + message);
    err.flush();
    return BAD_INPUT;
  }
}
