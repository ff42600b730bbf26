package io.bulwark.diagnose.eval;

import io.bulwark.diagnose.Cause;
import io.bulwark.diagnose.Fault;
import java.util.List;
import java.util.Optional;

/**
 * One injection of a campaign and what each ranking made of it.
 *
 * @param fault the injected fault
 * @param target where it was injected
 * @param rootCause the engine's root cause, or empty: "needs more investigation"
 * @param ranked the engine's ranking
 * @param baseline the BARO baseline's ranking
 * @param secondsToDiagnosis from the injection (the symptom's onset) to the engine's answer
 */
public record EvalCase(
    Fault fault,
    String target,
    Optional<Cause> rootCause,
    List<Cause> ranked,
    List<Baro.Suspect> baseline,
    double secondsToDiagnosis) {

  /** Copies the lists. */
  public EvalCase {
    ranked = List.copyOf(ranked);
    baseline = List.copyOf(baseline);
  }

  /** Where the engine ranked the true cause: 1 = first, 0 = not at all. */
  public int rank() {
    for (int i = 0; i < ranked.size(); i++) {
      if (ranked.get(i).fault() == fault && ranked.get(i).component().equals(target)) {
        return i + 1;
      }
    }
    return 0;
  }

  /** Where the baseline ranked the true cause: 1 = first, 0 = not at all. */
  public int baselineRank() {
    for (int i = 0; i < baseline.size(); i++) {
      if (baseline.get(i).fault() == fault && baseline.get(i).component().equals(target)) {
        return i + 1;
      }
    }
    return 0;
  }
}
