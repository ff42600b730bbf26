package io.bulwark.dr.backup;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.MemberSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the cluster's base backups: one as soon as the primary's region has none (so point-in-time
 * recovery works from the start), then one a day inside the backup window; each run prunes what the
 * retention no longer needs.
 */
public final class BackupScheduler {

  private static final Logger log = LoggerFactory.getLogger(BackupScheduler.class);

  private final ClusterSpec spec;
  private final Backups backups;
  private final Clock clock;
  private final Supplier<Optional<String>> primary;

  /** A schedule for {@code spec}; {@code primary} names the current primary, if any. */
  public BackupScheduler(ClusterSpec spec, Clock clock, Supplier<Optional<String>> primary) {
    this.spec = spec;
    this.clock = clock;
    this.backups = new Backups(spec, clock);
    this.primary = primary;
  }

  /** Whether a backup is due now. */
  public boolean due(String region) {
    List<BaseBackup> existing = backups.list(region);
    if (existing.isEmpty()) {
      return true;
    }
    Instant last = existing.get(existing.size() - 1).finishedAt();
    LocalTime now = LocalTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    boolean inWindow =
        spec.backups().windowStart().isBefore(spec.backups().windowEnd())
            ? !now.isBefore(spec.backups().windowStart())
                && now.isBefore(spec.backups().windowEnd())
            : !now.isBefore(spec.backups().windowStart())
                || now.isBefore(spec.backups().windowEnd());
    return inWindow && Duration.between(last, clock.instant()).compareTo(Duration.ofHours(20)) > 0;
  }

  /** Takes a backup of the primary if one is due; never throws (logs instead). */
  public Optional<BaseBackup> runOnce() {
    try {
      Optional<MemberSpec> p = primary.get().flatMap(spec::member);
      if (p.isEmpty() || !due(p.get().region())) {
        return Optional.empty();
      }
      BaseBackup b = backups.take(p.get());
      log.info("base backup {} of {} taken into {}", b.id(), b.member(), b.dir());
      return Optional.of(b);
    } catch (RuntimeException e) {
      log.warn("scheduled base backup failed: {}", e.toString());
      return Optional.empty();
    }
  }
}
