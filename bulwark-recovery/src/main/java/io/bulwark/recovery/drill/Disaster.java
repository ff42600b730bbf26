package io.bulwark.recovery.drill;

import io.bulwark.recovery.RecoveryException;
import java.util.Arrays;
import java.util.List;

/** The disasters a drill can inject; only {@link #REGION_LOSS} is built so far. */
public enum Disaster {
  /**
   * The primary region is lost: every instance process and database member there is killed with
   * SIGKILL, its zones refuse launches, nothing restarts.
   */
  REGION_LOSS("region-loss", true),
  /** One zone lost (not built yet). */
  ZONE_LOSS("zone-loss", false),
  /** The database primary lost (not built yet). */
  DB_PRIMARY_LOSS("db-primary-loss", false),
  /** The primary region cut off by the fault proxy (not built yet). */
  NETWORK_PARTITION("network-partition", false);

  private final String word;
  private final boolean built;

  Disaster(String word, boolean built) {
    this.word = word;
    this.built = built;
  }

  /** As the command line and the drill's record spell it, e.g. {@code region-loss}. */
  public String word() {
    return word;
  }

  /**
   * The disaster called {@code word}.
   *
   * @throws RecoveryException.NotPossible when none is so called, or it is not built yet; the
   *     message names the ones that are
   */
  public static Disaster of(String word) {
    List<String> built = Arrays.stream(values()).filter(d -> d.built).map(Disaster::word).toList();
    for (Disaster d : values()) {
      if (d.word.equals(word)) {
        if (!d.built) {
          throw new RecoveryException.NotPossible(
              "--disaster " + word + " is not built yet; a drill can inject: " + built);
        }
        return d;
      }
    }
    throw new RecoveryException.NotPossible(
        "--disaster must be one of " + built + ", got \"" + word + "\"");
  }
}
