package io.bulwark.diagnose;

import io.bulwark.diagnose.internal.Hypothesis;
import io.bulwark.diagnose.internal.Hypothesis.Direction;
import io.bulwark.diagnose.internal.Hypothesis.Signal;
import io.bulwark.diagnose.internal.Remedies;
import io.bulwark.diagnose.internal.RobustStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The troubleshooting engine: from a symptom and the telemetry around it to a ranked list of
 * causes, a root cause when one clears the bar, the evidence and the fixes.
 *
 * <p>For every component with data and every fault the data can show, a hypothesis starts from its
 * prior. Each of its signals is compared between the baseline (samples before the symptom's {@code
 * since}) and the symptom window (samples from {@code since} on) by a robust z-score (median and
 * MAD, so a single spike in the baseline does not hide a shift); the symptom window is summarised
 * by its median, 90th percentile or maximum as the symptom is constant, intermittent or seen once
 * (a live set, which changes only at garbage collections, by its latest reading taken since the
 * onset). A signal that was already out of its range through the baseline counts half (it did not
 * change at the onset); a leak's live set must also have grown between its first and latest
 * readings since the onset, or counts a fifth (one step up, a cache filling, is not a leak; see
 * {@link #staleLiveSets} for when no collection has run since the onset). The strongest signal
 * gives the hypothesis's likelihood (a logistic of the score, 0.5 at {@value #BAR}); a hypothesis
 * whose signals another anomalous fault explains as a side effect (a full pool behind slow queries,
 * CPU spent collecting garbage), or a CPU or allocation rise that came with a rise in requests per
 * second (more work, not a fault), is discounted and reported as a contributing factor. Posteriors
 * are the normalised products of prior and likelihood, with a "nothing wrong" hypothesis in the
 * mix. The top hypothesis is the root cause when its posterior is at least {@value #CONFIDENCE_BAR}
 * and its score at least {@value #BAR}; otherwise the diagnosis says what to collect next.
 *
 * <p>Change events (deploys, chaos injections …) that overlap the symptom are quoted as evidence; a
 * bad deploy is only suspected on a component that had a deploy or configuration change near the
 * onset.
 */
public final class Diagnoser {

  /** The score at which a signal is as likely anomalous as not. */
  public static final double BAR = 3.5;

  /** The posterior a root cause needs. */
  public static final double CONFIDENCE_BAR = 0.5;

  private static final double NOTHING_WRONG_PRIOR = 0.3;
  private static final double NOTHING_WRONG_LIKELIHOOD = 0.02;
  private static final double EXPLAINED_DISCOUNT = 0.2;
  private static final double NOT_GROWING_DISCOUNT = 0.2;
  private static final double OFF_COMPONENT_DISCOUNT = 0.25;
  private static final int MIN_BASELINE = 3;
  private static final int MIN_WINDOW = 2;
  private static final double MAX_SCORE = 50;
  private static final double LOAD_MIN_SCALE = 5;
  private static final java.util.Set<Fault> LOAD_BOUND =
      java.util.Set.of(Fault.CPU_HOG, Fault.GC_PRESSURE);

  /** The admin route that measures a server's live set (see {@code DiagnoseHttp.LIVE_SET}). */
  private static final String LIVE_SET_PATH = "/api/v1/admin/telemetry/live-set";

  /**
   * A growing signal's growth per second is scored against this share of its minimum scale per
   * second (the live set: 16 MiB, so 2 MiB/s; a leak clears the bar from 7 MiB/s).
   */
  private static final double GROWTH_SCALE_PER_SECOND = 1.0 / 8;

  /** Live-set readings since the onset a leak needs to be judged growing. */
  private static final int LIVE_SET_READINGS = 2;

  private final Remedies remedies;

  private Diagnoser(Remedies remedies) {
    this.remedies = remedies;
  }

  /**
   * An engine whose {@code bulwark} commands in solutions address the server at {@code serverUrl}
   * (e.g. {@code http://127.0.0.1:8080}).
   */
  public static Diagnoser forServer(String serverUrl) {
    return new Diagnoser(new Remedies(serverUrl));
  }

  /** Diagnoses {@code symptom} from {@code telemetry}. */
  public Diagnosis diagnose(Symptom symptom, Telemetry telemetry) {
    List<Checked> checked = new ArrayList<>();
    List<String> collectNext = new ArrayList<>();
    for (String component : telemetry.components()) {
      for (Hypothesis h : Hypothesis.ALL) {
        check(symptom, telemetry, component, h, collectNext).ifPresent(checked::add);
      }
    }
    // discount what another anomalous fault, or more requests, explains
    List<Checked> anomalous = checked.stream().filter(c -> c.score >= BAR).toList();
    List<Evidence> loadEvidence = new ArrayList<>();
    for (Checked c : checked) {
      c.explained =
          anomalous.stream()
              .anyMatch(a -> a != c && c.hypothesis.explainedBy().contains(a.hypothesis.fault()));
      if (LOAD_BOUND.contains(c.hypothesis.fault()) && c.score >= BAR) {
        Optional<Evidence> load = loadRose(symptom, telemetry, c.component);
        if (load.isPresent()) {
          c.explained = true;
          if (loadEvidence.stream().noneMatch(e -> e.component().equals(c.component))) {
            loadEvidence.add(load.get());
          }
        }
      }
    }
    double total = NOTHING_WRONG_PRIOR * NOTHING_WRONG_LIKELIHOOD;
    for (Checked c : checked) {
      double prior = c.hypothesis.prior();
      if (!symptom.components().isEmpty() && !symptom.components().contains(c.component)) {
        prior *= OFF_COMPONENT_DISCOUNT;
      }
      c.weight = prior * likelihood(c.score) * (c.explained ? EXPLAINED_DISCOUNT : 1);
      total += c.weight;
    }
    for (Checked c : checked) {
      c.posterior = c.weight / total;
    }
    checked.sort(Comparator.comparingDouble((Checked c) -> c.posterior).reversed());
    List<Cause> ranked = checked.stream().map(Checked::cause).toList();
    Optional<Checked> root =
        checked.stream()
            .findFirst()
            .filter(c -> c.posterior >= CONFIDENCE_BAR && c.score >= BAR && !c.explained);
    List<Cause> contributing =
        root.isEmpty()
            ? List.of()
            : checked.stream()
                .filter(c -> c.score >= BAR && c.explained)
                .map(Checked::cause)
                .toList();

    List<Evidence> evidence = new ArrayList<>();
    List<Checked> shown =
        root.isPresent()
            ? checked.stream()
                .filter(c -> c == root.get() || contributing.contains(c.cause()))
                .toList()
            : checked.stream().limit(3).toList();
    shown.forEach(c -> evidence.addAll(c.evidence));
    evidence.addAll(loadEvidence);
    for (ChangeEvent change : telemetry.changes()) {
      if (overlaps(change, symptom.since())) {
        evidence.add(
            Evidence.fact(
                change.component(),
                "change",
                "change "
                    + change.kind().name().toLowerCase(Locale.ROOT)
                    + " on "
                    + change.component()
                    + " from "
                    + change.at()
                    + change.until().map(u -> " until " + u).orElse("")
                    + ": "
                    + change.description()
                    + " (id "
                    + change.id()
                    + ")"));
      }
    }
    List<Solution> solutions = new ArrayList<>();
    if (root.isPresent()) {
      Checked r = root.get();
      evidence.addAll(remedies.observations(r.cause(), telemetry));
      solutions.addAll(remedies.solutions(r.cause(), symptom, telemetry));
    } else {
      collectNext.add(
          0,
          checked.isEmpty()
              ? "needs more investigation: no hypothesis could be checked; collect samples from"
                  + " before and after "
                  + symptom.since()
              : "needs more investigation: no cause cleared the bar (posterior >= "
                  + CONFIDENCE_BAR
                  + " and score >= "
                  + BAR
                  + "); collect a longer symptom window, or name the affected --component");
    }
    for (var f : Hypothesis.UNCHECKED) {
      collectNext.add(f.slug() + ": not checked; no collector gives network figures yet");
    }
    return new Diagnosis(
        symptom, root.map(Checked::cause), ranked, contributing, evidence, solutions, collectNext);
  }

  private Optional<Checked> check(
      Symptom symptom,
      Telemetry telemetry,
      String component,
      Hypothesis h,
      List<String> collectNext) {
    if (h.fault() == Fault.BAD_DEPLOY && !deployedNear(telemetry, component, symptom.since())) {
      return Optional.empty();
    }
    Checked c = new Checked(component, h);
    boolean any = false;
    for (Signal signal : h.signals()) {
      Optional<Series> series = telemetry.series(component, signal.metric());
      if (series.isEmpty()) {
        continue;
      }
      double[] baseline = values(series.get(), null, symptom.since());
      double[] window = values(series.get(), symptom.since(), null);
      if (baseline.length < MIN_BASELINE || window.length < MIN_WINDOW) {
        collectNext.add(
            component
                + " "
                + signal.metric()
                + ": too few samples to compare (baseline "
                + baseline.length
                + ", symptom window "
                + window.length
                + "); wait for more samples");
        continue;
      }
      any = true;
      double sign = signal.direction() == Direction.UP ? 1 : -1;
      // a live set changes only at collections: judge a leak by its readings since the onset
      List<Point> readings =
          signal.trend()
              ? readings(telemetry, component, series.get(), symptom.since())
              : List.of();
      if (signal.trend() && readings.isEmpty()) {
        collectNext.add(
            component
                + " "
                + signal.metric()
                + ": no garbage collection since "
                + symptom.since()
                + ", so the live set predates the symptom and "
                + h.fault().slug()
                + " cannot be judged; measure it (POST "
                + LIVE_SET_PATH
                + ", which bulwark diagnose does by itself)");
      }
      double summary =
          signal.trend()
              ? (readings.isEmpty() ? window[window.length - 1] : readings.getLast().value())
              : summarise(window, symptom.frequency(), signal.direction());
      double scale = RobustStats.scale(baseline, signal.minScale());
      double median = RobustStats.median(baseline);
      double score = Math.min(MAX_SCORE, sign * (summary - median) / scale);
      double threshold = median + sign * BAR * scale;
      long outBefore =
          java.util.Arrays.stream(baseline).filter(v -> sign * (v - threshold) > 0).count();
      double factor = outBefore > baseline.length / 4 ? 0.5 : 1;
      double effective = score * factor;
      String growth = "";
      if (signal.trend()) {
        boolean growing =
            readings.size() >= 2
                && readings.getLast().value() - readings.getFirst().value()
                    >= signal.minScale() / 2;
        if (growing) {
          // the growth between two collections since the onset needs no trustworthy baseline
          // (old garbage that no full collection has cleared inflates a live set read before)
          double seconds =
              Math.max(
                      1,
                      Duration.between(readings.getFirst().at(), readings.getLast().at())
                          .toMillis())
                  / 1e3;
          double perSecond = (readings.getLast().value() - readings.getFirst().value()) / seconds;
          double growthScore =
              Math.min(MAX_SCORE, perSecond / (signal.minScale() * GROWTH_SCALE_PER_SECOND));
          effective = Math.max(effective, growthScore);
          score = Math.max(score, growthScore);
          growth =
              String.format(
                  Locale.ROOT,
                  "; grew %s/s between the collections read at %s and %s",
                  format(perSecond),
                  readings.getFirst().at(),
                  readings.getLast().at());
        } else {
          effective *= NOT_GROWING_DISCOUNT;
          factor *= NOT_GROWING_DISCOUNT;
        }
      }
      Optional<Instant> onset =
          series.get().points().stream()
              .filter(p -> !p.at().isBefore(symptom.since()))
              .filter(p -> sign * (p.value() - threshold) > 0)
              .map(Point::at)
              .findFirst();
      if (effective > c.score) {
        c.score = effective;
      }
      c.evidence.add(
          new Evidence(
              component,
              signal.metric(),
              String.format(
                  Locale.ROOT,
                  "%s %s: %s before %s, %s since (%s, robust z %.1f)%s%s%s",
                  component,
                  signal.metric(),
                  format(median),
                  symptom.since(),
                  format(summary),
                  signal.trend()
                      ? "latest reading"
                      : symptom.frequency() == Frequency.CONSTANT
                          ? "median"
                          : symptom.frequency() == Frequency.INTERMITTENT ? "p90" : "peak",
                  score,
                  onset.map(t -> ", out of range from " + t).orElse(""),
                  growth,
                  factor < 1
                      ? (outBefore > baseline.length / 4
                          ? "; already out of range before the symptom"
                          : "; not growing through the window")
                      : ""),
              Optional.of(round(median)),
              Optional.of(round(summary)),
              Optional.of(score),
              onset));
    }
    return any ? Optional.of(c) : Optional.empty();
  }

  /**
   * Evidence that requests per second on {@code component} rose by at least {@value #BAR} robust
   * sigmas (and {@value #LOAD_MIN_SCALE}/s) since the symptom began: more work, not a fault.
   */
  private static Optional<Evidence> loadRose(
      Symptom symptom, Telemetry telemetry, String component) {
    Optional<Series> rate = telemetry.series(component, Signals.HTTP_RATE);
    if (rate.isEmpty()) {
      return Optional.empty();
    }
    double[] baseline = values(rate.get(), null, symptom.since());
    double[] window = values(rate.get(), symptom.since(), null);
    if (baseline.length < MIN_BASELINE || window.length < MIN_WINDOW) {
      return Optional.empty();
    }
    double before = RobustStats.median(baseline);
    double since = RobustStats.median(window);
    double score = (since - before) / RobustStats.scale(baseline, LOAD_MIN_SCALE);
    if (score < BAR) {
      return Optional.empty();
    }
    return Optional.of(
        new Evidence(
            component,
            Signals.HTTP_RATE,
            String.format(
                Locale.ROOT,
                "%s %s: %.1f/s before %s, %.1f/s since (robust z %.1f): more requests, which"
                    + " explain the CPU and allocation; scale out rather than hunt a fault",
                component,
                Signals.HTTP_RATE,
                before,
                symptom.since(),
                since,
                score),
            Optional.of(round(before)),
            Optional.of(round(since)),
            Optional.of(score),
            Optional.empty()));
  }

  private static boolean deployedNear(Telemetry telemetry, String component, Instant since) {
    return telemetry.changes().stream()
        .anyMatch(
            e ->
                e.component().equals(component)
                    && (e.kind() == ChangeEvent.Kind.DEPLOY || e.kind() == ChangeEvent.Kind.CONFIG)
                    && Duration.between(e.at(), since).abs().compareTo(Duration.ofMinutes(5)) <= 0);
  }

  private static boolean overlaps(ChangeEvent change, Instant since) {
    return change.until().map(u -> u.isAfter(since.minusSeconds(60))).orElse(true)
        && change.at().isAfter(since.minus(Duration.ofMinutes(30)));
  }

  /**
   * The live-set readings of {@code live} taken by collections that ended at or after {@code
   * since}: with the component's {@link Signals#HEAP_LIVE_AGE} series, one value per collection
   * (the samples in between repeat it); without it, every sample from {@code since} on.
   */
  private static List<Point> readings(
      Telemetry telemetry, String component, Series live, Instant since) {
    Optional<Series> age = telemetry.series(component, Signals.HEAP_LIVE_AGE);
    if (age.isEmpty()) {
      return live.points().stream()
          .filter(p -> !p.at().isBefore(since) && Double.isFinite(p.value()))
          .toList();
    }
    java.util.Map<Instant, Double> ages = new java.util.HashMap<>();
    age.get().points().forEach(p -> ages.put(p.at(), p.value()));
    List<Point> out = new ArrayList<>();
    Instant last = null;
    for (Point p : live.points()) {
      Double a = ages.get(p.at());
      if (a == null || !Double.isFinite(p.value())) {
        continue;
      }
      Instant collected = p.at().minusMillis(Math.round(a * 1000));
      boolean fresh = last == null || collected.isAfter(last.plusMillis(100));
      if (fresh) {
        last = collected;
        if (!collected.isBefore(since)) {
          out.add(p);
        }
      }
    }
    return out;
  }

  /**
   * The components whose live set no collection has measured since {@code symptom} began, though
   * their heap is recorded: a leak there cannot be judged until one does (with a large young
   * generation that can take minutes). A client that can ask the server for a reading ({@code POST
   * /api/v1/admin/telemetry/live-set}) does, then fetches the telemetry again.
   */
  public static List<String> staleLiveSets(Symptom symptom, Telemetry telemetry) {
    List<String> stale = new ArrayList<>();
    for (String component : telemetry.components()) {
      Optional<Series> live = telemetry.series(component, Signals.HEAP_LIVE);
      if (live.isPresent()
          && telemetry.series(component, Signals.HEAP_LIVE_AGE).isPresent()
          && readings(telemetry, component, live.get(), symptom.since()).size()
              < LIVE_SET_READINGS) {
        stale.add(component);
      }
    }
    return stale;
  }

  private static double summarise(double[] window, Frequency frequency, Direction direction) {
    boolean up = direction == Direction.UP;
    return switch (frequency) {
      case CONSTANT -> RobustStats.median(window);
      case INTERMITTENT -> RobustStats.quantile(window, up ? 0.9 : 0.1);
      case ONCE -> RobustStats.quantile(window, up ? 1 : 0);
    };
  }

  private static double[] values(Series s, Instant from, Instant before) {
    return s.points().stream()
        .filter(p -> from == null || !p.at().isBefore(from))
        .filter(p -> before == null || p.at().isBefore(before))
        .mapToDouble(Point::value)
        .filter(Double::isFinite)
        .toArray();
  }

  private static double likelihood(double score) {
    return 1 / (1 + Math.exp(-1.5 * (score - BAR)));
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static String format(double v) {
    double a = Math.abs(v);
    if (a >= 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", v / (1024 * 1024));
    }
    return String.format(Locale.ROOT, a >= 100 ? "%.0f" : "%.3f", v);
  }

  /** A hypothesis on one component as the data scored it. */
  private static final class Checked {
    final String component;
    final Hypothesis hypothesis;
    final List<Evidence> evidence = new ArrayList<>();
    double score = Double.NEGATIVE_INFINITY;
    boolean explained;
    double weight;
    double posterior;

    Checked(String component, Hypothesis hypothesis) {
      this.component = component;
      this.hypothesis = hypothesis;
    }

    Cause cause() {
      return new Cause(component, hypothesis.fault(), posterior);
    }
  }
}
