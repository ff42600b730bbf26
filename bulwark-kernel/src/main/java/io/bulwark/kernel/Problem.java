package io.bulwark.kernel;

import java.util.Map;

/**
 * An error that knows how to describe itself as an RFC 9457 problem: every HTTP adapter renders any
 * exception implementing this as a {@link ProblemDocument} ({@code application/problem+json}); the
 * CLI prints its detail.
 */
public interface Problem {

  /** HTTP status that fits the problem, e.g. 400, 404, 409. */
  int status();

  /** A short, stable, human-readable summary of the problem type, e.g. "Version conflict". */
  String title();

  /** A stable slug for the problem type; rendered as {@code /problems/<slug>}. */
  String type();

  /** The occurrence-specific explanation. */
  String detail();

  /** Extra members for the problem body (field names, expected/actual values, …). */
  default Map<String, Object> extensions() {
    return Map.of();
  }
}
