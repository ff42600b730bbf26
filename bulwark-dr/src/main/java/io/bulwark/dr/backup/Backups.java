package io.bulwark.dr.backup;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.DbException;
import io.bulwark.dr.MemberSpec;
import io.bulwark.dr.cluster.OnlineBackup;
import io.bulwark.kernel.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Base backups of a cluster, kept per region next to the WAL archive: taken from the running
 * primary with the low-level backup API (waiting until the WAL they need is archived), copied to
 * the policy's copy region, and pruned after the retention together with the WAL only they needed.
 */
public final class Backups {

  private static final DateTimeFormatter ID =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final ClusterSpec spec;
  private final Clock clock;

  /** The backups of {@code spec}. */
  public Backups(ClusterSpec spec, Clock clock) {
    this.spec = spec;
    this.clock = clock;
  }

  /**
   * Takes a base backup of {@code primary} (running) into its region's archive and the copy
   * region's, then prunes what the retention no longer needs.
   */
  public BaseBackup take(MemberSpec primary) {
    Instant started = clock.instant();
    String id = ID.format(started);
    Path dir = spec.baseBackups(primary.region()).resolve(id);
    try {
      Files.createDirectories(dir);
      OnlineBackup.Result r =
          OnlineBackup.copy(
              primary, spec.dataDir(primary.name()), dir.resolve("data"), "bulwark " + id, true);
      BaseBackup backup =
          new BaseBackup(
              id,
              dir,
              primary.name(),
              r.timeline(),
              r.startLsn(),
              r.stopLsn(),
              started,
              clock.instant());
      backup.write();
      for (String region : spec.archiveRegions(primary.region())) {
        if (!region.equals(primary.region())) {
          Path copy = spec.baseBackups(region).resolve(id);
          copyTree(dir, copy);
        }
      }
      for (String region : spec.archiveRegions(primary.region())) {
        prune(region);
      }
      return backup;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot take a base backup into " + dir, e);
    }
  }

  /** The base backups in {@code region}'s archive, oldest first. */
  public List<BaseBackup> list(String region) {
    Path base = spec.baseBackups(region);
    if (!Files.isDirectory(base)) {
      return List.of();
    }
    List<BaseBackup> backups = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(base)) {
      for (Path d : dirs.sorted().toList()) {
        if (Files.exists(d.resolve(BaseBackup.META))) {
          backups.add(BaseBackup.read(d));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + base, e);
    }
    backups.sort(Comparator.comparing(BaseBackup::finishedAt));
    return backups;
  }

  /**
   * Deletes base backups older than the retention (always keeping the newest) and archived WAL
   * segments older than the oldest kept backup's start.
   */
  public void prune(String region) {
    List<BaseBackup> all = list(region);
    if (all.isEmpty()) {
      return;
    }
    Instant cutoff = clock.instant().minus(spec.backups().retention());
    List<BaseBackup> kept = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      BaseBackup b = all.get(i);
      if (i < all.size() - 1 && b.finishedAt().isBefore(cutoff)) {
        try {
          Trees.delete(b.dir());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete " + b.dir(), e);
        }
      } else {
        kept.add(b);
      }
    }
    long oldestSegment = kept.get(0).startLsn() / ((long) spec.walSegmentMb() << 20);
    Path wal = spec.walArchive(region);
    if (!Files.isDirectory(wal)) {
      return;
    }
    try (Stream<Path> files = Files.list(wal)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.matches("[0-9A-F]{24}") && segmentNumber(name) < oldestSegment) {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prune " + wal, e);
    }
  }

  /** The newest backup in {@code region} that finished before {@code target}. */
  public BaseBackup latestBefore(String region, Instant target) {
    List<BaseBackup> candidates =
        list(region).stream().filter(b -> b.finishedAt().isBefore(target)).toList();
    if (candidates.isEmpty()) {
      List<BaseBackup> all = list(region);
      throw new DbException.BadRequest(
          all.isEmpty()
              ? "no base backup in region "
                  + region
                  + " ("
                  + spec.baseBackups(region)
                  + "); take one with db backup"
              : "no base backup in region "
                  + region
                  + " finished before "
                  + target
                  + "; the oldest finished at "
                  + all.get(0).finishedAt());
    }
    return candidates.get(candidates.size() - 1);
  }

  private long segmentNumber(String walFile) {
    long logId = Long.parseLong(walFile.substring(8, 16), 16);
    long seg = Long.parseLong(walFile.substring(16, 24), 16);
    long segmentsPerLogId = 0x100000000L / ((long) spec.walSegmentMb() << 20);
    return logId * segmentsPerLogId + seg;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Path tmp = to.resolveSibling(to.getFileName() + ".partial");
    Trees.delete(tmp);
    Trees.copy(from, tmp);
    Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
  }
}
