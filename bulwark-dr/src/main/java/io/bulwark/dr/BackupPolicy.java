package io.bulwark.dr;

import java.time.Duration;
import java.time.LocalTime;
import java.util.Objects;
import java.util.Optional;

/**
 * Backups of the cluster: WAL archived continuously into the primary's region (and a copy into
 * {@code copyToRegion}), a base backup once a day in the window, kept for {@code retention}.
 *
 * @param windowStart start of the daily backup window, UTC
 * @param windowEnd end of the daily backup window, UTC
 * @param retention how long base backups (and the WAL they need) are kept
 * @param copyToRegion region that receives a copy of every archived WAL file and base backup
 * @param archiveTimeout at most this long between a commit and the archiving of its WAL file
 *     ({@code archive_timeout}); bounds the loss of a restore from the archive alone
 */
public record BackupPolicy(
    LocalTime windowStart,
    LocalTime windowEnd,
    Duration retention,
    Optional<String> copyToRegion,
    Duration archiveTimeout) {

  public BackupPolicy {
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(windowEnd, "windowEnd");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(copyToRegion, "copyToRegion");
    Objects.requireNonNull(archiveTimeout, "archiveTimeout");
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive but was " + retention);
    }
    if (archiveTimeout.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "archiveTimeout must be at least 1s but was " + archiveTimeout);
    }
  }

  /** 03:00-04:00 UTC, 7 days, no copy, WAL archived at least every 60 s. */
  public static BackupPolicy defaults() {
    return new BackupPolicy(
        LocalTime.of(3, 0),
        LocalTime.of(4, 0),
        Duration.ofDays(7),
        Optional.empty(),
        Duration.ofSeconds(60));
  }
}
