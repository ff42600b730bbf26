package io.bulwark.dr.cluster;

import io.bulwark.dr.MemberSpec;
import io.bulwark.kernel.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Set;

/**
 * A copy of a running server's data directory taken with PostgreSQL's low-level backup API ({@code
 * pg_backup_start} → copy the files → {@code pg_backup_stop} → write its {@code backup_label}), the
 * way {@code pg_basebackup} does it (the embedded binaries have no {@code pg_basebackup}). The copy
 * is consistent once the WAL from the backup's start to its end is replayed on top of it: streamed
 * from the source by a standby, or read from the WAL archive by a restore.
 */
public final class OnlineBackup {

  /** Directories whose contents a backup leaves out (pg_basebackup's list). */
  private static final Set<String> EMPTIED =
      Set.of(
          "pg_wal",
          "pg_replslot",
          "pg_dynshmem",
          "pg_notify",
          "pg_serial",
          "pg_snapshots",
          "pg_stat_tmp",
          "pg_subtrans");

  /** Files a backup leaves out. */
  private static final Set<String> SKIPPED =
      Set.of(
          "postmaster.pid",
          "postmaster.opts",
          "backup_label",
          "backup_label.old",
          "tablespace_map",
          "standby.signal",
          "recovery.signal",
          "pg_internal.init",
          ServerConfig.FILE);

  /**
   * What the backup returned.
   *
   * @param startLsn where WAL replay must start (from the label)
   * @param stopLsn WAL up to here must be replayed before the copy is consistent
   * @param timeline the source's timeline when the backup started
   */
  public record Result(long startLsn, long stopLsn, int timeline) {}

  private OnlineBackup() {}

  /**
   * Copies the running server of {@code member} whose data directory is {@code source} into {@code
   * target} (which must not exist). {@code waitForArchive} makes {@code pg_backup_stop} wait until
   * the WAL the copy needs is archived (for base backups kept for recovery); a standby clone
   * streams it instead.
   */
  public static Result copy(
      MemberSpec member, Path source, Path target, String label, boolean waitForArchive) {
    if (Files.exists(target)) {
      throw new IllegalArgumentException("backup target " + target + " already exists");
    }
    try (Connection c =
        DriverManager.getConnection(
            "jdbc:postgresql://" + member.address() + "/postgres", "postgres", "")) {
      long start;
      int timeline;
      try (var st = c.prepareStatement("select pg_backup_start(?, true) - '0/0'::pg_lsn")) {
        st.setString(1, label);
        var rs = st.executeQuery();
        rs.next();
        start = rs.getLong(1);
      }
      try (var rs =
          c.createStatement().executeQuery("select timeline_id from pg_control_checkpoint()")) {
        rs.next();
        timeline = rs.getInt(1);
      }
      Path tmp = target.resolveSibling(target.getFileName() + ".partial");
      try {
        Trees.delete(tmp);
        copyTree(source, tmp);
      } catch (IOException | RuntimeException e) {
        abort(c);
        throw e;
      }
      long stop;
      try (var st =
          c.prepareStatement(
              "select lsn - '0/0'::pg_lsn, labelfile, spcmapfile from pg_backup_stop(?)")) {
        st.setBoolean(1, waitForArchive);
        var rs = st.executeQuery();
        rs.next();
        stop = rs.getLong(1);
        Files.writeString(tmp.resolve("backup_label"), rs.getString(2));
        String spcmap = rs.getString(3);
        if (spcmap != null && !spcmap.isEmpty()) {
          Files.writeString(tmp.resolve("tablespace_map"), spcmap);
        }
      }
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      return new Result(start, stop, timeline);
    } catch (SQLException e) {
      throw new ReplicationException(
          "online backup of "
              + member.name()
              + " ("
              + member.address()
              + ") failed: "
              + e.getMessage(),
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
    }
  }

  private static void abort(Connection c) {
    try (var st = c.createStatement()) {
      st.execute("select pg_backup_stop(false)");
    } catch (SQLException ignored) {
      // the session ends with the connection, which aborts the backup anyway
    }
  }

  private static void copyTree(Path source, Path target) throws IOException {
    Files.walkFileTree(
        source,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Path rel = source.relativize(dir);
            Files.createDirectories(target.resolve(rel.toString()));
            if (rel.getNameCount() == 1 && EMPTIED.contains(rel.toString())) {
              if (rel.toString().equals("pg_wal")) {
                Files.createDirectories(target.resolve("pg_wal/archive_status"));
              }
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String name = file.getFileName().toString();
            if (SKIPPED.contains(name) || name.startsWith("pgsql_tmp") || name.endsWith(".tmp")) {
              return FileVisitResult.CONTINUE;
            }
            try {
              Files.copy(file, target.resolve(source.relativize(file).toString()));
            } catch (NoSuchFileException gone) {
              // dropped while we copied (a temp file, a dropped relation): WAL replay agrees
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
  }
}
