package io.bulwark.diagnose.eval;

import java.util.List;

/**
 * Accuracy as RCAEval defines it: AC@k is the share of cases whose true (component, fault) is among
 * the first k of the ranking; Avg@5 is the mean of AC@1 … AC@5.
 *
 * @param ac1 AC@1, 0..1
 * @param ac3 AC@3, 0..1
 * @param avg5 Avg@5, 0..1
 */
public record Scores(double ac1, double ac3, double avg5) {

  /**
   * The scores of cases whose true cause was ranked {@code ranks} (1 = first; 0 = not ranked at
   * all).
   *
   * @throws IllegalArgumentException when there are no cases or a rank is negative
   */
  public static Scores of(List<Integer> ranks) {
    if (ranks.isEmpty()) {
      throw new IllegalArgumentException("ranks must not be empty");
    }
    for (int r : ranks) {
      if (r < 0) {
        throw new IllegalArgumentException("a rank must be >= 0 (0 = not ranked) but was " + r);
      }
    }
    double sum = 0;
    for (int k = 1; k <= 5; k++) {
      sum += acAt(ranks, k);
    }
    return new Scores(acAt(ranks, 1), acAt(ranks, 3), sum / 5);
  }

  /** AC@k: the share of ranks between 1 and k. */
  public static double acAt(List<Integer> ranks, int k) {
    return ranks.stream().filter(r -> r >= 1 && r <= k).count() / (double) ranks.size();
  }
}
