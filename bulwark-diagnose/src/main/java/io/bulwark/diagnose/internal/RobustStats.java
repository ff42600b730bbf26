package io.bulwark.diagnose.internal;

import java.util.Arrays;

/** Median, median absolute deviation and quantiles: statistics one outlier cannot drag. */
public final class RobustStats {

  /** Scales a MAD to a standard deviation for normal data. */
  public static final double MAD_TO_SIGMA = 1.4826;

  private RobustStats() {}

  /** The median of {@code values}; NaN when empty. */
  public static double median(double[] values) {
    return quantile(values, 0.5);
  }

  /** The {@code q} quantile (0..1, linear interpolation) of {@code values}; NaN when empty. */
  public static double quantile(double[] values, double q) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  /** The median absolute deviation from the median; NaN when empty. */
  public static double mad(double[] values) {
    double m = median(values);
    double[] deviations = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      deviations[i] = Math.abs(values[i] - m);
    }
    return median(deviations);
  }

  /**
   * The robust z-score of {@code value} against {@code baseline}: its distance from the baseline's
   * median in MADs scaled to sigmas, where the scale is at least {@code minScale} (a flat baseline
   * would make any wobble look enormous).
   */
  public static double z(double value, double[] baseline, double minScale) {
    return (value - median(baseline)) / scale(baseline, minScale);
  }

  /** The robust spread of {@code baseline}, at least {@code minScale}. */
  public static double scale(double[] baseline, double minScale) {
    return Math.max(MAD_TO_SIGMA * mad(baseline), minScale);
  }
}
