package io.bulwark.diagnose;

import java.util.List;
import java.util.Optional;

/**
 * What was collected over a window: numeric series per component, observations (query texts,
 * process ids) and the change events made to the system.
 */
public record Telemetry(
    List<Series> series, List<Observation> observations, List<ChangeEvent> changes) {

  /** Copies the lists. */
  public Telemetry {
    series = List.copyOf(series);
    observations = List.copyOf(observations);
    changes = List.copyOf(changes);
  }

  /** The series of {@code metric} on {@code component}, if collected. */
  public Optional<Series> series(String component, String metric) {
    return series.stream()
        .filter(s -> s.component().equals(component) && s.metric().equals(metric))
        .findFirst();
  }

  /** Every component that has at least one series, in first-seen order. */
  public List<String> components() {
    return series.stream().map(Series::component).distinct().toList();
  }

  /** The latest observation of {@code kind} on {@code component}, if any. */
  public Optional<Observation> latest(String component, String kind) {
    return observations.stream()
        .filter(o -> o.component().equals(component) && o.kind().equals(kind))
        .reduce((a, b) -> b.at().isBefore(a.at()) ? a : b);
  }
}
