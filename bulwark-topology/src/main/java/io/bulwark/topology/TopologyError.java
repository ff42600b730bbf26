package io.bulwark.topology;

import java.util.Objects;

/**
 * One problem in a topology file, located by file, line and field path, for example {@code
 * bulwark.yaml:14: dr.rpo: expected a duration like 5m, got "five"}.
 *
 * @param file the file name as the user gave it
 * @param line 1-based line, or 0 when the problem concerns the whole file
 * @param path the field path such as {@code services[0].instances.max}; empty for the whole file
 * @param message what is wrong, ending with what was found
 */
public record TopologyError(String file, int line, String path, String message) {

  public TopologyError {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    if (line < 0) {
      throw new IllegalArgumentException("line must be >= 0, got " + line);
    }
  }

  /** The one-line form printed to users: {@code file:line: path: message}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(file);
    if (line > 0) {
      sb.append(':').append(line);
    }
    sb.append(": ");
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    return sb.append(message).toString();
  }
}
