package io.bulwark.topology;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The seed's four disaster recovery strategies, cheapest first, with the RPO and RTO each can
 * promise (the upper end of the seed's ranges) and its relative cost.
 */
public enum DrStrategy {
  BACKUP_RESTORE(
      "backup & restore",
      "lowest cost, but the longest recovery",
      Duration.ofHours(24),
      Duration.ofHours(24),
      "24 h",
      "hours – 1 day",
      "$",
      List.of(
          "regular automated backups",
          "backups stored in object storage",
          "cross-region copies of every backup",
          "a documented and tested restore procedure")),
  PILOT_LIGHT(
      "pilot light",
      "keep the minimum running in another region",
      Duration.ofHours(4),
      Duration.ofHours(4),
      "1–4 h",
      "1–4 h",
      "$$",
      List.of(
          "database replication to the DR region",
          "minimal infrastructure prepared in advance (stopped instances)",
          "machine images kept up to date",
          "automated start-up scripts")),
  WARM_STANDBY(
      "warm standby",
      "a scaled-down copy of production always running",
      Duration.ofMinutes(5),
      Duration.ofMinutes(30),
      "5 min",
      "30 min",
      "$$$",
      List.of(
          "a fully working scaled-down environment",
          "real-time data synchronisation",
          "regular switch-over tests",
          "automated failover ready")),
  ACTIVE_ACTIVE(
      "multi-site active/active",
      "full production in several regions",
      Duration.ZERO,
      Duration.ZERO,
      "~0",
      "~0",
      "$$$$",
      List.of(
          "fully redundant environments",
          "real-time data synchronisation",
          "global load balancing",
          "automatic failover"));

  private final String title;
  private final String description;
  private final Duration rpo;
  private final Duration rto;
  private final String rpoText;
  private final String rtoText;
  private final String cost;
  private final List<String> implementation;

  DrStrategy(
      String title,
      String description,
      Duration rpo,
      Duration rto,
      String rpoText,
      String rtoText,
      String cost,
      List<String> implementation) {
    this.title = title;
    this.description = description;
    this.rpo = rpo;
    this.rto = rto;
    this.rpoText = rpoText;
    this.rtoText = rtoText;
    this.cost = cost;
    this.implementation = implementation;
  }

  /** The word used in files, e.g. {@code warm-standby}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses the file word; throws {@link IllegalArgumentException} naming the choices. */
  public static DrStrategy fromWord(String word) {
    for (DrStrategy s : values()) {
      if (s.word().equals(word)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "expected one of backup-restore, pilot-light, warm-standby, active-active, got \""
            + word
            + "\"");
  }

  /** Human title, e.g. "warm standby". */
  public String title() {
    return title;
  }

  /** One-line description from the seed. */
  public String description() {
    return description;
  }

  /** Worst-case data loss the strategy promises. */
  public Duration rpo() {
    return rpo;
  }

  /** Worst-case recovery time the strategy promises. */
  public Duration rto() {
    return rto;
  }

  /** The seed's RPO as written, e.g. "1–4 h". */
  public String rpoText() {
    return rpoText;
  }

  /** The seed's RTO as written, e.g. "hours – 1 day". */
  public String rtoText() {
    return rtoText;
  }

  /** Relative cost class, $ to $$$$. */
  public String cost() {
    return cost;
  }

  /** What implementing it takes, from the seed. */
  public List<String> implementation() {
    return implementation;
  }

  /**
   * What {@code topology} lacks to deliver this strategy; empty when it can. Loading a file reports
   * these gaps for the strategy it declares; {@code bulwark dr plan} lists them as the changes a
   * recommended strategy needs.
   */
  public List<Gap> gaps(Topology topology) {
    return DrRequirements.gaps(topology, this);
  }

  /**
   * One piece a topology lacks to deliver a strategy.
   *
   * @param problem what the strategy needs and what the topology has, e.g. "warm-standby needs a
   *     database replica in region us-west-2, got none"
   * @param change the edit to the topology that closes the gap
   */
  public record Gap(String problem, String change) {}

  /** Whether the strategy's promises meet both targets. */
  public boolean meets(Duration rpoTarget, Duration rtoTarget) {
    return rpo.compareTo(rpoTarget) <= 0 && rto.compareTo(rtoTarget) <= 0;
  }
}
