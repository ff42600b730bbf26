package io.bulwark.dr.backup;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.DbException;
import io.bulwark.dr.cluster.ServerConfig;
import io.bulwark.kernel.Trees;
import io.bulwark.postgres.PostgresException;
import io.bulwark.postgres.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Point-in-time recovery: the newest base backup that finished before the target, plus the region's
 * archived WAL replayed up to {@code recovery_target_time}, into a new data directory that any
 * PostgreSQL server (or {@code PostgresServer}) can then start as a standalone primary on a new
 * timeline. Nothing of the running cluster changes.
 */
public final class PointInTimeRestore {

  /**
   * What was restored.
   *
   * @param into the restored data directory
   * @param backup the base backup it started from
   * @param target the recovery target time
   * @param timeline the restored server's timeline after recovery
   */
  public record Result(Path into, BaseBackup backup, Instant target, int timeline) {}

  private final ClusterSpec spec;
  private final Clock clock;

  /** Restores from {@code spec}'s archives. */
  public PointInTimeRestore(ClusterSpec spec, Clock clock) {
    this.spec = spec;
    this.clock = clock;
  }

  /**
   * Restores region {@code region}'s archive to {@code target} into {@code into} (which must not
   * exist or be empty). Transactions that committed at or before {@code target} are there, later
   * ones are not.
   *
   * @throws DbException.BadRequest when {@code into} has files, or no backup precedes the target
   * @throws DbException.Failed when recovery cannot reach the target (WAL missing from the archive)
   */
  public Result restore(String region, Instant target, Path into) {
    into = into.toAbsolutePath();
    try {
      if (Files.exists(into)) {
        try (var entries = Files.list(into)) {
          if (entries.findAny().isPresent()) {
            throw new DbException.BadRequest(
                "--into " + into + " is not empty; give a new or empty directory");
          }
        }
        Files.delete(into);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use " + into, e);
    }
    if (target.isAfter(clock.instant())) {
      throw new DbException.BadRequest("--to-time " + target + " is in the future");
    }
    BaseBackup backup = new Backups(spec, clock).latestBefore(region, target);
    try {
      Files.createDirectories(into.getParent());
      Trees.copy(backup.data(), into);
      Files.setPosixFilePermissions(into, PosixFilePermissions.fromString("rwx------"));
      ServerConfig.ensureInclude(into);
      Map<String, String> conf = new LinkedHashMap<>();
      conf.put("restore_command", ServerConfig.restoreCommand(spec, region));
      conf.put("recovery_target_time", target.toString().replace('T', ' ').replace("Z", "+00"));
      conf.put("recovery_target_action", "promote");
      conf.put("recovery_target_timeline", "latest");
      conf.put("synchronous_standby_names", "");
      ServerConfig.write(into, conf);
      Files.writeString(into.resolve("recovery.signal"), "");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + into, e);
    }
    PostgresServer server =
        PostgresServer.builder(into)
            .port(0)
            .setting("archive_mode", "off")
            .setting("track_commit_timestamp", "on")
            .startTimeout(Duration.ofMinutes(10))
            .build();
    try {
      server.start();
      int timeline = awaitPromotion(server, Duration.ofMinutes(10));
      server.close();
      // the target served its purpose; a later start must not try to recover again
      Map<String, String> conf = new LinkedHashMap<>(ServerConfig.read(into));
      conf.remove("recovery_target_time");
      conf.remove("recovery_target_action");
      ServerConfig.write(into, conf);
      return new Result(into, backup, target, timeline);
    } catch (PostgresException e) {
      server.kill();
      throw new DbException.Failed(
          "recovery to "
              + target
              + " failed (is the WAL up to that time archived in "
              + spec.walArchive(region)
              + "?); see "
              + server.logFile(),
          e);
    }
  }

  private static int awaitPromotion(PostgresServer server, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection c = server.connect("postgres");
          var rs =
              c.createStatement()
                  .executeQuery(
                      "select pg_is_in_recovery(),"
                          + " (select timeline_id from pg_control_checkpoint())")) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return rs.getInt(2);
        }
      } catch (SQLException e) {
        if (!server.running()) {
          throw new PostgresException("the restoring server stopped: " + e.getMessage(), e);
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    throw new PostgresException("recovery did not finish within " + timeout, null);
  }
}
