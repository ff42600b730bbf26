package io.bulwark.diagnose.eval;

import io.bulwark.diagnose.Cause;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scores of a campaign: the engine's and the baseline's, the mean time to a diagnosis, and
 * every case.
 *
 * @param cases the injections in the order they ran
 */
public record EvalReport(List<EvalCase> cases) {

  /** Copies the list; at least one case. */
  public EvalReport {
    cases = List.copyOf(cases);
    if (cases.isEmpty()) {
      throw new IllegalArgumentException("a report needs at least one case");
    }
  }

  /** The engine's scores. */
  public Scores engine() {
    return Scores.of(cases.stream().map(EvalCase::rank).toList());
  }

  /** The BARO baseline's scores. */
  public Scores baseline() {
    return Scores.of(cases.stream().map(EvalCase::baselineRank).toList());
  }

  /** Mean seconds from a symptom's onset to the engine's diagnosis. */
  public double meanSecondsToDiagnosis() {
    return cases.stream().mapToDouble(EvalCase::secondsToDiagnosis).average().orElse(0);
  }

  /**
   * The contract of {@code bulwark diagnose eval --json}: {@code {"injections","ac1","ac3","avg5",
   * "meanSecondsToDiagnosis","baseline":{"ac1","ac3","avg5"},"cases":[{"fault","target",
   * "rootCause","rank"}…]}}; a case's {@code rootCause} is {@code {"component","fault",
   * "confidence"}} or null, its {@code rank} the engine's rank of the true cause or null.
   */
  public Map<String, Object> toJson() {
    Scores e = engine();
    Scores b = baseline();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("injections", cases.size());
    json.put("ac1", round(e.ac1()));
    json.put("ac3", round(e.ac3()));
    json.put("avg5", round(e.avg5()));
    json.put("meanSecondsToDiagnosis", round(meanSecondsToDiagnosis()));
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("ac1", round(b.ac1()));
    base.put("ac3", round(b.ac3()));
    base.put("avg5", round(b.avg5()));
    json.put("baseline", base);
    json.put(
        "cases",
        cases.stream()
            .map(
                c -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("fault", c.fault().slug());
                  m.put("target", c.target());
                  m.put("rootCause", c.rootCause().map(EvalReport::cause).orElse(null));
                  m.put("rank", c.rank() == 0 ? null : c.rank());
                  return m;
                })
            .toList());
    return json;
  }

  /** A table of the cases, then the scores. */
  public void print(PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "%-3s %-16s %-16s %-42s %5s %5s %7s%n",
        "#",
        "fault",
        "target",
        "root cause",
        "rank",
        "baro",
        "seconds");
    int i = 1;
    for (EvalCase c : cases) {
      out.printf(
          Locale.ROOT,
          "%-3d %-16s %-16s %-42s %5s %5s %7.1f%n",
          i++,
          c.fault().slug(),
          c.target(),
          c.rootCause()
              .map(
                  r ->
                      String.format(
                          Locale.ROOT,
                          "%s on %s (%.2f)",
                          r.fault().slug(),
                          r.component(),
                          r.confidence()))
              .orElse("needs more investigation"),
          c.rank() == 0 ? "-" : String.valueOf(c.rank()),
          c.baselineRank() == 0 ? "-" : String.valueOf(c.baselineRank()),
          c.secondsToDiagnosis());
    }
    Scores e = engine();
    Scores b = baseline();
    out.printf(Locale.ROOT, "%ninjections: %d%n", cases.size());
    out.printf(Locale.ROOT, "%-9s %6s %6s %6s%n", "", "AC@1", "AC@3", "Avg@5");
    out.printf(Locale.ROOT, "%-9s %6.3f %6.3f %6.3f%n", "engine", e.ac1(), e.ac3(), e.avg5());
    out.printf(Locale.ROOT, "%-9s %6.3f %6.3f %6.3f%n", "BARO", b.ac1(), b.ac3(), b.avg5());
    out.printf(
        Locale.ROOT, "mean seconds from symptom to diagnosis: %.1f%n", meanSecondsToDiagnosis());
  }

  private static Map<String, Object> cause(Cause c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("component", c.component());
    m.put("fault", c.fault().slug());
    m.put("confidence", round(c.confidence()));
    return m;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
