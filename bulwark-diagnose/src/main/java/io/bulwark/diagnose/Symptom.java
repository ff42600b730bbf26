package io.bulwark.diagnose;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What someone (or an alert) saw: a description, how bad it is, when it was first observed, how
 * often it shows, and the components it was seen on (empty: anywhere).
 *
 * @param description what was seen, e.g. "checkout is slow"
 * @param severity how bad it is
 * @param since when it was first observed; the symptom window starts here, the baseline ends here
 * @param frequency how often it shows
 * @param components where it was seen; an empty list lets every component be a suspect
 */
public record Symptom(
    String description,
    Severity severity,
    Instant since,
    Frequency frequency,
    List<String> components) {

  /** Checks every member. */
  public Symptom {
    if (description == null || description.isBlank()) {
      throw new IllegalArgumentException("description must not be blank");
    }
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(frequency, "frequency");
    components = List.copyOf(components);
  }
}
