package io.bulwark.dr.cluster;

import java.util.List;
import java.util.OptionalLong;

/**
 * What one PostgreSQL server says about itself, read over SQL.
 *
 * @param inRecovery true for a standby
 * @param timeline its current timeline
 * @param lsn a primary's current WAL position; a standby's received (or, if more, replayed) one
 * @param replayLsn a standby's replayed position (equal to {@code lsn} on a primary)
 * @param lastCommitAtMs when the last transaction committed (a primary) or was replayed (a standby,
 *     its commit time on the primary), epoch ms
 * @param streaming whether a standby's WAL receiver is streaming
 * @param replication a primary's connected standbys ({@code pg_stat_replication})
 * @param synchronousStandbyNames the setting in force
 */
public record ServerState(
    boolean inRecovery,
    int timeline,
    long lsn,
    long replayLsn,
    OptionalLong lastCommitAtMs,
    boolean streaming,
    List<Standby> replication,
    String synchronousStandbyNames) {

  public ServerState {
    replication = List.copyOf(replication);
  }

  /**
   * A standby as its primary sees it.
   *
   * @param name its {@code application_name}
   * @param state {@code streaming}, {@code catchup}, ...
   * @param syncState {@code async}, {@code potential}, {@code sync} or {@code quorum}
   * @param flushLsn flushed on the standby
   * @param replayLsn replayed on the standby
   * @param replayLagMs {@code replay_lag} in ms (0 when idle)
   */
  public record Standby(
      String name,
      String state,
      String syncState,
      long flushLsn,
      long replayLsn,
      long replayLagMs) {}
}
