package io.bulwark.diagnose;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the troubleshooting engine concluded.
 *
 * @param symptom the symptom diagnosed
 * @param rootCause the cause that cleared the bar, or empty: "needs more investigation"
 * @param ranked every hypothesis the data could check, most probable first
 * @param contributing anomalous causes the root cause explains (e.g. a full pool behind slow
 *     queries)
 * @param evidence the facts behind the ranking, for the root cause (or top suspects) first
 * @param solutions what to do, most urgent first
 * @param collectNext what to collect when nothing cleared the bar, and the hypotheses no data could
 *     check
 */
public record Diagnosis(
    Symptom symptom,
    Optional<Cause> rootCause,
    List<Cause> ranked,
    List<Cause> contributing,
    List<Evidence> evidence,
    List<Solution> solutions,
    List<String> collectNext) {

  /** Copies the lists. */
  public Diagnosis {
    ranked = List.copyOf(ranked);
    contributing = List.copyOf(contributing);
    evidence = List.copyOf(evidence);
    solutions = List.copyOf(solutions);
    collectNext = List.copyOf(collectNext);
  }

  /**
   * The contract's JSON object: {@code {"rootCause":{"component","fault","confidence"}|null,
   * "ranked":[…],"evidence":[…],"solutions":[{"priority","command","risk"}…]}}, and after those
   * {@code contributing}, {@code collectNext} and the {@code symptom}.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("rootCause", rootCause.map(Diagnosis::cause).orElse(null));
    json.put("ranked", ranked.stream().map(Diagnosis::cause).toList());
    json.put("evidence", evidence.stream().map(Diagnosis::evidence).toList());
    json.put("solutions", solutions.stream().map(Diagnosis::solution).toList());
    json.put("contributing", contributing.stream().map(Diagnosis::cause).toList());
    json.put("collectNext", collectNext);
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("description", symptom.description());
    s.put("severity", symptom.severity().name());
    s.put("since", symptom.since().toString());
    s.put("frequency", symptom.frequency().name());
    s.put("components", symptom.components());
    json.put("symptom", s);
    return json;
  }

  private static Map<String, Object> cause(Cause c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("component", c.component());
    m.put("fault", c.fault().slug());
    m.put("confidence", Math.round(c.confidence() * 1000) / 1000.0);
    return m;
  }

  private static Map<String, Object> evidence(Evidence e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("component", e.component());
    m.put("metric", e.metric());
    m.put("text", e.text());
    e.baseline().ifPresent(v -> m.put("baseline", v));
    e.symptom().ifPresent(v -> m.put("symptom", v));
    e.score().ifPresent(v -> m.put("score", Math.round(v * 100) / 100.0));
    e.onset().ifPresent(v -> m.put("onset", v.toString()));
    return m;
  }

  private static Map<String, Object> solution(Solution s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("priority", s.priority());
    m.put("command", s.command());
    m.put("risk", s.risk().name());
    m.put("description", s.description());
    return m;
  }
}
