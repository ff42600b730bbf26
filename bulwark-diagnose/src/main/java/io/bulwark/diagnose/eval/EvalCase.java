package io.bulwark.diagnose.eval;

import io.bulwark.diagnose.Cause;
import io.bulwark.diagnose.Fault;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

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
    return rankOf(ranked.stream().map(c -> c.fault() == fault && c.component().equals(target)));
  }

  /** Where the baseline ranked the true cause: 1 = first, 0 = not at all. */
  public int baselineRank() {
    return rankOf(baseline.stream().map(s -> s.fault() == fault && s.component().equals(target)));
  }

  /** The 1-based position of the first match; 0 (index -1, plus one) when none matches. */
  private static int rankOf(Stream<Boolean> matches) {
    return matches.toList().indexOf(true) + 1;
  }
}
