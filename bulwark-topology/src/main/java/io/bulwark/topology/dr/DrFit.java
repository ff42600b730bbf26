package io.bulwark.topology.dr;

import io.bulwark.kernel.Durations;
import io.bulwark.topology.DisasterRecovery;
import io.bulwark.topology.DrStrategy;
import java.time.Duration;

/**
 * Whether the declared DR strategy can meet the file's RPO/RTO targets, judged by what the seed
 * says each strategy delivers (warm standby: RPO 5 min, RTO 30 min, …).
 *
 * @param strategy the declared strategy
 * @param targetRpo the file's RPO
 * @param targetRto the file's RTO
 * @param meetsRpo whether the strategy's RPO is within the target
 * @param meetsRto whether the strategy's RTO is within the target
 */
public record DrFit(
    DrStrategy strategy,
    Duration targetRpo,
    Duration targetRto,
    boolean meetsRpo,
    boolean meetsRto) {

  /** The fit of {@code dr}. */
  public static DrFit of(DisasterRecovery dr) {
    DrStrategy s = dr.strategy();
    return new DrFit(
        s, dr.rpo(), dr.rto(), s.rpo().compareTo(dr.rpo()) <= 0, s.rto().compareTo(dr.rto()) <= 0);
  }

  /** Both targets met. */
  public boolean meets() {
    return meetsRpo && meetsRto;
  }

  /** One sentence, e.g. "warm standby delivers RPO 5 min and RTO 30 min: meets RPO 5m, RTO 30m". */
  public String summary() {
    String promise =
        strategy.title() + " delivers RPO " + strategy.rpoText() + " and RTO " + strategy.rtoText();
    if (meets()) {
      return promise
          + ": meets the targets RPO "
          + Durations.format(targetRpo)
          + ", RTO "
          + Durations.format(targetRto);
    }
    StringBuilder sb = new StringBuilder(promise).append(": misses");
    if (!meetsRpo) {
      sb.append(" RPO ").append(Durations.format(targetRpo));
    }
    if (!meetsRto) {
      sb.append(meetsRpo ? "" : " and").append(" RTO ").append(Durations.format(targetRto));
    }
    return sb.append(" (see bulwark dr plan)").toString();
  }
}
