package io.bulwark.topology.runbook;

/** The kinds of DR runbook step, in the order a failover runs them. */
public enum StepKind {
  /** Confirm the primary region is down. */
  DETECT,
  /** Stop the old primary from taking writes (no split brain). */
  FENCE,
  /** Promote the DR replica to primary. */
  PROMOTE_REPLICA,
  /** Restore the database from the latest backup (backup &amp; restore). */
  RESTORE_BACKUP,
  /** Start the stopped standby instances (pilot light) or provision new ones. */
  START_STANDBY,
  /** Scale the DR region to production capacity. */
  SCALE_TO_PRODUCTION,
  /** Move traffic: DR weight 100, primary 0. */
  SWITCH_TRAFFIC,
  /** Point alerts and dashboards at the DR region. */
  UPDATE_MONITORING,
  /** Check the recovered site end to end. */
  VERIFY,
  /** Manual: point the CDN origin, third-party integrations and dashboards at the DR region. */
  UPDATE_EXTERNAL_DEPENDENCIES,
  /** Manual and ongoing: tell stakeholders, update the status page, keep the review timeline. */
  COMMUNICATION;

  /**
   * Whether the DR manager ({@code bulwark dr activate}) carries out steps of this kind itself; the
   * others (restoring a backup, external dependencies, communication) it hands to people.
   */
  public boolean automated() {
    return this != RESTORE_BACKUP && this != UPDATE_EXTERNAL_DEPENDENCIES && this != COMMUNICATION;
  }
}
