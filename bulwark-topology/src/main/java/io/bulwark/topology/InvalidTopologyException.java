package io.bulwark.topology;

import java.util.List;
import java.util.stream.Collectors;

/** A topology file that cannot be used; carries every error found, not just the first. */
public final class InvalidTopologyException extends TopologyException {

  private final List<TopologyError> errors;

  /** Creates the exception; {@code errors} must not be empty. */
  public InvalidTopologyException(List<TopologyError> errors) {
    this(errors, null);
  }

  /** As {@link #InvalidTopologyException(List)}, found from {@code cause} (or null). */
  public InvalidTopologyException(List<TopologyError> errors, Throwable cause) {
    super(summary(errors), cause);
    this.errors = List.copyOf(errors);
  }

  /** Every error, in file order. */
  public List<TopologyError> errors() {
    return errors;
  }

  private static String summary(List<TopologyError> errors) {
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("an invalid topology needs at least one error");
    }
    return errors.size()
        + (errors.size() == 1 ? " error" : " errors")
        + " in topology:\n"
        + errors.stream().map(TopologyError::toString).collect(Collectors.joining("\n"));
  }
}
