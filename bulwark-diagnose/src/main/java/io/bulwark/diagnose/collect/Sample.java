package io.bulwark.diagnose.collect;

import io.bulwark.diagnose.Observation;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One sampling round: the value of every signal per component at {@code at}, and what was observed.
 *
 * @param at when it was taken
 * @param values component → metric → value
 * @param observations query texts and the like, seen in this round
 */
public record Sample(
    Instant at, Map<String, Map<String, Double>> values, List<Observation> observations) {

  /** Copies the members. */
  public Sample {
    values = Map.copyOf(values);
    observations = List.copyOf(observations);
  }
}
