package io.bulwark.diagnose.internal;

import io.bulwark.diagnose.Cause;
import io.bulwark.diagnose.ChangeEvent;
import io.bulwark.diagnose.Evidence;
import io.bulwark.diagnose.Observation;
import io.bulwark.diagnose.Risk;
import io.bulwark.diagnose.Severity;
import io.bulwark.diagnose.Solution;
import io.bulwark.diagnose.Symptom;
import io.bulwark.diagnose.Telemetry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fixes for a root cause, as commands a person can paste, built from what the samplers observed
 * (process ids, the slow query and the sessions blocking it) and the change events.
 */
public final class Remedies {

  /** Observation kind: a component's process ({@code pid}, {@code dir}). */
  public static final String PROCESS = "process";

  /**
   * Observation kind: the longest-running statement ({@code pid}, {@code seconds}, {@code query},
   * {@code waitEvent}, {@code blockedBy}: comma-separated pids).
   */
  public static final String LONGEST_QUERY = "longest-query";

  private final String url;

  /** Remedies whose {@code bulwark} commands address {@code url}. */
  public Remedies(String url) {
    this.url = url;
  }

  /** The observations that back {@code cause}, as evidence. */
  public List<Evidence> observations(Cause cause, Telemetry telemetry) {
    List<Evidence> out = new ArrayList<>();
    switch (cause.fault()) {
      case SLOW_QUERY, POOL_EXHAUSTION ->
          telemetry
              .latest(cause.component(), LONGEST_QUERY)
              .ifPresent(
                  o ->
                      out.add(
                          Evidence.fact(
                              cause.component(),
                              LONGEST_QUERY,
                              "longest-running statement (backend pid "
                                  + o.attributes().get("pid")
                                  + ", "
                                  + o.attributes().getOrDefault("seconds", "?")
                                  + " s, wait "
                                  + o.attributes().getOrDefault("waitEvent", "none")
                                  + blockedBy(o).map(b -> ", blocked by pid " + b).orElse("")
                                  + ") at "
                                  + o.at()
                                  + ": "
                                  + o.attributes().getOrDefault("query", "?"))));
      default -> {}
    }
    return out;
  }

  /** What to do about {@code cause}, most urgent first. */
  public List<Solution> solutions(Cause cause, Symptom symptom, Telemetry telemetry) {
    List<Solution> out = new ArrayList<>();
    int p = symptom.severity().compareTo(Severity.HIGH) >= 0 ? 1 : 2;
    for (ChangeEvent change : telemetry.changes()) {
      if (change.kind() == ChangeEvent.Kind.CHAOS
          && change.component().equals(cause.component())
          && change.until().map(u -> u.isAfter(symptom.since())).orElse(true)) {
        out.add(
            new Solution(
                p,
                "bulwark chaos stop " + change.id() + " --url " + url,
                Risk.LOW,
                "an injected fault is running on " + change.component() + ": stop it"));
      }
    }
    String pid =
        telemetry
            .latest(cause.component(), PROCESS)
            .map(o -> o.attributes().get("pid"))
            .orElse("<pid>");
    String dir =
        telemetry
            .latest(cause.component(), PROCESS)
            .map(o -> o.attributes().get("dir"))
            .orElse("<state directory>");
    Optional<Observation> query = telemetry.latest(cause.component(), LONGEST_QUERY);
    switch (cause.fault()) {
      case CPU_HOG -> {
        out.add(
            new Solution(
                p, "top -H -p " + pid, Risk.LOW, "see which threads of the process use the CPU"));
        out.add(
            new Solution(
                p + 1,
                "jcmd " + pid + " Thread.print",
                Risk.LOW,
                "find what the busy threads run (match top's thread id in hex to nid=)"));
        out.add(
            new Solution(
                p + 2,
                "kill -TERM " + pid,
                Risk.MEDIUM,
                "restart the instance; its instance group (bulwark up) replaces it, draining first"));
      }
      case GC_PRESSURE -> {
        out.add(
            new Solution(
                p,
                "jcmd " + pid + " GC.class_histogram",
                Risk.LOW,
                "see which classes fill the heap with short-lived garbage"));
        out.add(
            new Solution(
                p + 1,
                "jcmd " + pid + " GC.heap_info",
                Risk.LOW,
                "check the heap size against the live set; give the JVM more heap (-Xmx) if it is"
                    + " too small"));
      }
      case MEMORY_LEAK -> {
        out.add(
            new Solution(
                p,
                "jcmd " + pid + " GC.heap_dump " + dir + "/leak.hprof",
                Risk.LOW,
                "dump the heap (a short pause) to find what keeps growing"));
        out.add(
            new Solution(
                p + 1,
                "kill -TERM " + pid,
                Risk.MEDIUM,
                "restart the instance before the heap runs out; the leak comes back until fixed"));
      }
      case SLOW_QUERY -> {
        out.add(
            new Solution(
                p,
                "psql -c \"SELECT pid, now() - query_start AS running, wait_event_type,"
                    + " pg_blocking_pids(pid) AS blocked_by, query FROM pg_stat_activity"
                    + " WHERE state <> 'idle' ORDER BY query_start\"",
                Risk.LOW,
                "list the running statements and who blocks them"));
        query
            .flatMap(Remedies::blockedBy)
            .ifPresent(
                b ->
                    out.add(
                        new Solution(
                            p + 1,
                            "psql -c \"SELECT pg_terminate_backend(" + b.split(",")[0] + ")\"",
                            Risk.HIGH,
                            "end the session holding the lock (its transaction rolls back)")));
        query.ifPresent(
            q ->
                out.add(
                    new Solution(
                        p + 1,
                        "psql -c \"SELECT pg_cancel_backend(" + q.attributes().get("pid") + ")\"",
                        Risk.MEDIUM,
                        "cancel the longest statement ("
                            + q.attributes().getOrDefault("seconds", "?")
                            + " s so far); its caller gets an error")));
        query
            .filter(q -> blockedBy(q).isEmpty())
            .ifPresent(
                q ->
                    out.add(
                        new Solution(
                            p + 2,
                            "psql -c \"EXPLAIN " + q.attributes().getOrDefault("query", "") + "\"",
                            Risk.LOW,
                            "read the plan: a sequential scan on a large table wants an index"
                                + " (CREATE INDEX CONCURRENTLY …)")));
      }
      case POOL_EXHAUSTION ->
          out.add(
              new Solution(
                  p,
                  "psql -c \"SELECT pid, state, now() - xact_start AS open_for, query FROM"
                      + " pg_stat_activity WHERE datname = current_database() ORDER BY"
                      + " xact_start\"",
                  Risk.LOW,
                  "find the sessions holding the pool's connections (long transactions, idle in"
                      + " transaction)"));
      case DISK_FILL ->
          out.add(
              new Solution(
                  p,
                  "du -xsh " + dir + "/* | sort -h | tail",
                  Risk.LOW,
                  "find what fills the disk under the component's directory"));
      case DEPENDENCY_DOWN ->
          out.add(
              new Solution(
                  p,
                  "curl -sS -o /dev/null -w '%{http_code}\\n' <dependency URL>/health",
                  Risk.LOW,
                  "check the dependency; while it is down the shop retries and compensates"));
      case BAD_DEPLOY ->
          out.add(
              new Solution(
                  p,
                  "curl -X POST <fleet API>/fleet/groups/" + cause.component() + "/refresh",
                  Risk.MEDIUM,
                  "roll back: refresh the group to the previous build"));
      default -> {}
    }
    out.sort(Comparator.comparingInt(Solution::priority).thenComparing(Solution::risk));
    return out;
  }

  private static Optional<String> blockedBy(Observation o) {
    return Optional.ofNullable(o.attributes().get("blockedBy")).filter(s -> !s.isBlank());
  }

  /** Attributes of a process observation. */
  public static Map<String, String> process(long pid, String dir) {
    return Map.of("pid", Long.toString(pid), "dir", dir);
  }
}
