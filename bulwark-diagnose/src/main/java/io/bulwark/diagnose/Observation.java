package io.bulwark.diagnose;

import java.time.Instant;
import java.util.Map;

/**
 * Something a sampler saw that is not a number: the text of the longest-running query and its
 * backend pid, the process id of a component. The diagnosis quotes it as evidence and builds
 * commands from it.
 *
 * @param at when it was seen
 * @param component where
 * @param kind what it is, e.g. {@code longest-query}, {@code process}
 * @param attributes its fields, e.g. {@code pid}, {@code query}, {@code seconds}
 */
public record Observation(
    Instant at, String component, String kind, Map<String, String> attributes) {

  /** Copies the attributes. */
  public Observation {
    attributes = Map.copyOf(attributes);
  }
}
