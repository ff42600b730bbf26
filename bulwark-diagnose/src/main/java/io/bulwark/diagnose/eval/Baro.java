package io.bulwark.diagnose.eval;

import io.bulwark.diagnose.Fault;
import io.bulwark.diagnose.Point;
import io.bulwark.diagnose.Series;
import io.bulwark.diagnose.Signals;
import io.bulwark.diagnose.Telemetry;
import io.bulwark.diagnose.internal.RobustStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The baseline the engine is scored against: a BARO-style ranking (Pham et al., RCAEval, arXiv
 * 2412.17015). Bayesian online change-point detection (Adams and MacKay 2007: a Gaussian of unknown
 * mean and variance, constant hazard) runs over every metric series and gives each its latest
 * change point; the anomaly's onset is the median of those. Each series is then scored by its
 * largest robust z-score after the onset, {@code |x - median(before)| / IQR(before)} (an IQR of 0
 * counts as 1, as scikit-learn's {@code RobustScaler} does), and the metrics, highest score first,
 * are mapped to (component, fault) by name ({@link #faultOf}). HTTP metrics are symptoms, not
 * causes, and map to nothing. No priors, no knowledge of which faults explain others.
 */
public final class Baro {

  /** Expected run length between change points: the hazard is its inverse. */
  private static final double EXPECTED_RUN = 100;

  /** Fewest points a series needs to be scored. */
  private static final int MIN_POINTS = 6;

  private static final Map<String, Fault> FAULTS =
      Map.ofEntries(
          Map.entry(Signals.CPU, Fault.CPU_HOG),
          Map.entry(Signals.BUSY_THREADS, Fault.CPU_HOG),
          Map.entry(Signals.GC_PAUSE, Fault.GC_PRESSURE),
          Map.entry(Signals.ALLOCATION, Fault.GC_PRESSURE),
          Map.entry(Signals.HEAP_LIVE, Fault.MEMORY_LEAK),
          Map.entry(Signals.HEAP_USED, Fault.MEMORY_LEAK),
          Map.entry(Signals.RSS, Fault.MEMORY_LEAK),
          Map.entry(Signals.POOL_USAGE, Fault.POOL_EXHAUSTION),
          Map.entry(Signals.POOL_PENDING, Fault.POOL_EXHAUSTION),
          Map.entry(Signals.LONGEST_QUERY, Fault.SLOW_QUERY),
          Map.entry(Signals.LOCK_WAITERS, Fault.SLOW_QUERY),
          Map.entry(Signals.ACTIVE_QUERIES, Fault.SLOW_QUERY),
          Map.entry(Signals.DEPENDENCY_ERRORS, Fault.DEPENDENCY_DOWN),
          Map.entry(Signals.DISK_FREE, Fault.DISK_FILL));

  /** A ranked suspect and the metric that put it there. */
  public record Suspect(String component, Fault fault, String metric, double score) {}

  private Baro() {}

  /** The (component, fault) suspects in {@code telemetry}, most anomalous first, each once. */
  public static List<Suspect> rank(Telemetry telemetry) {
    List<Series> usable =
        telemetry.series().stream()
            .filter(s -> s.points().size() >= MIN_POINTS)
            // the live set's age is a ramp by construction (it says how stale another metric is)
            .filter(s -> !s.metric().equals(Signals.HEAP_LIVE_AGE))
            .toList();
    if (usable.isEmpty()) {
      return List.of();
    }
    long onset = onsetMillis(usable);
    List<Suspect> scored = new ArrayList<>();
    for (Series s : usable) {
      Fault fault = faultOf(s.metric()).orElse(null);
      if (fault == null) {
        continue;
      }
      double[] before =
          s.points().stream()
              .filter(p -> p.at().toEpochMilli() < onset)
              .mapToDouble(Point::value)
              .toArray();
      double[] after =
          s.points().stream()
              .filter(p -> p.at().toEpochMilli() >= onset)
              .mapToDouble(Point::value)
              .toArray();
      if (before.length == 0 || after.length == 0) {
        continue;
      }
      scored.add(new Suspect(s.component(), fault, s.metric(), score(before, after)));
    }
    scored.sort(Comparator.comparingDouble(Suspect::score).reversed());
    List<Suspect> ranked = new ArrayList<>();
    for (Suspect s : scored) {
      if (ranked.stream()
          .noneMatch(r -> r.component().equals(s.component()) && r.fault() == s.fault())) {
        ranked.add(s);
      }
    }
    return ranked;
  }

  /** The fault a metric of that name points to, if any. */
  static Optional<Fault> faultOf(String metric) {
    return Optional.ofNullable(FAULTS.get(metric));
  }

  /**
   * The onset of the anomaly: the median of every series' latest change point (epoch millis), or
   * the middle of the window when no series has one.
   */
  private static long onsetMillis(List<Series> series) {
    List<Long> changes = new ArrayList<>();
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (Series s : series) {
      double[] x = s.points().stream().mapToDouble(Point::value).toArray();
      first = Math.min(first, s.points().getFirst().at().toEpochMilli());
      last = Math.max(last, s.points().getLast().at().toEpochMilli());
      OptionalInt cp = changePoint(x);
      if (cp.isPresent()) {
        changes.add(s.points().get(cp.getAsInt()).at().toEpochMilli());
      }
    }
    if (changes.isEmpty()) {
      return first + (last - first) / 2;
    }
    double[] values = changes.stream().mapToDouble(Long::doubleValue).toArray();
    return (long) RobustStats.median(values);
  }

  /**
   * The largest robust z-score of {@code after} against {@code before}: {@code |x - median(before)|
   * / IQR(before)}, an IQR of 0 taken as 1.
   */
  static double score(double[] before, double[] after) {
    double median = RobustStats.median(before);
    double iqr = RobustStats.quantile(before, 0.75) - RobustStats.quantile(before, 0.25);
    double scale = iqr == 0 ? 1 : iqr;
    return Arrays.stream(after).map(v -> Math.abs(v - median) / scale).max().orElse(0);
  }

  /**
   * The index where the latest run of {@code x} starts, by Bayesian online change-point detection:
   * the most probable run length after the last point says how far back the last change lies. Empty
   * when the whole series is one run (or too short to tell), or the run starts at the first point
   * or at the last (a single outlier is not an onset).
   */
  static OptionalInt changePoint(double[] x) {
    int n = x.length;
    if (n < MIN_POINTS) {
      return OptionalInt.empty();
    }
    // standardise robustly so one prior fits series in bytes and series in ratios alike
    double median = RobustStats.median(x);
    double spread = RobustStats.scale(x, 0);
    if (spread == 0) {
      double sd = Math.sqrt(Arrays.stream(x).map(v -> (v - median) * (v - median)).sum() / n);
      spread = sd == 0 ? 1 : sd;
    }
    double hazard = 1 / EXPECTED_RUN;
    double[] r = {1.0};
    double[] mu = {0};
    double[] kappa = {1};
    double[] alpha = {1};
    double[] beta = {1};
    for (int t = 0; t < n; t++) {
      double v = (x[t] - median) / spread;
      int len = r.length;
      double[] next = new double[len + 1];
      double total = 0;
      for (int i = 0; i < len; i++) {
        double scale2 = beta[i] * (kappa[i] + 1) / (alpha[i] * kappa[i]);
        double p = r[i] * studentT(v, mu[i], scale2, 2 * alpha[i]);
        next[i + 1] = p * (1 - hazard);
        next[0] += p * hazard;
      }
      for (double p : next) {
        total += p;
      }
      if (!(total > 0)) {
        // every run length judged the point impossible: a certain change
        next = new double[len + 1];
        next[0] = 1;
        total = 1;
      }
      for (int i = 0; i <= len; i++) {
        next[i] /= total;
      }
      double[] mu2 = new double[len + 1];
      double[] kappa2 = new double[len + 1];
      double[] alpha2 = new double[len + 1];
      double[] beta2 = new double[len + 1];
      mu2[0] = 0;
      kappa2[0] = 1;
      alpha2[0] = 1;
      beta2[0] = 1;
      for (int i = 0; i < len; i++) {
        mu2[i + 1] = (kappa[i] * mu[i] + v) / (kappa[i] + 1);
        kappa2[i + 1] = kappa[i] + 1;
        alpha2[i + 1] = alpha[i] + 0.5;
        beta2[i + 1] = beta[i] + kappa[i] * (v - mu[i]) * (v - mu[i]) / (2 * (kappa[i] + 1));
      }
      r = next;
      mu = mu2;
      kappa = kappa2;
      alpha = alpha2;
      beta = beta2;
    }
    int runLength = 0;
    for (int i = 1; i < r.length; i++) {
      if (r[i] > r[runLength]) {
        runLength = i;
      }
    }
    int start = n - runLength;
    return start <= 0 || start >= n - 1 ? OptionalInt.empty() : OptionalInt.of(start);
  }

  /** The density of a Student-t with {@code nu} degrees of freedom, location and squared scale. */
  private static double studentT(double x, double loc, double scale2, double nu) {
    double z = (x - loc) * (x - loc) / (nu * scale2);
    double logDensity =
        logGamma((nu + 1) / 2)
            - logGamma(nu / 2)
            - 0.5 * Math.log(nu * Math.PI * scale2)
            - (nu + 1) / 2 * Math.log1p(z);
    return Math.exp(logDensity);
  }

  /** ln Γ(x) for x > 0 (Lanczos, g = 7). */
  private static double logGamma(double x) {
    if (x < 0.5) {
      return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    }
    double[] c = {
      0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
      -176.61563132077, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
      1.5056327351493116e-7
    };
    double y = x - 1;
    double a = c[0];
    double t = y + 7.5;
    for (int i = 1; i < 9; i++) {
      a += c[i] / (y + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
  }
}
