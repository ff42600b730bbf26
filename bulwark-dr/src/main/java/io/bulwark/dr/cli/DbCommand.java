package io.bulwark.dr.cli;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.ClusterStatus;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.DbException;
import io.bulwark.dr.backup.Backups;
import io.bulwark.dr.backup.BaseBackup;
import io.bulwark.dr.backup.PointInTimeRestore;
import io.bulwark.dr.cluster.Lsn;
import io.bulwark.postgres.BulwarkHome;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark db}: the highly available database cluster of a running {@code bulwark demo --ha}
 * or {@code bulwark up} — status, planned switchover, forced failover, base backup, point-in-time
 * restore.
 */
@Command(
    name = "db",
    mixinStandardHelpOptions = true,
    description =
        "The PostgreSQL cluster of a running demo --ha or up: status, switchover, failover, backup, restore.",
    subcommands = {
      DbCommand.Status.class,
      DbCommand.Switchover.class,
      DbCommand.Failover.class,
      DbCommand.Backup.class,
      DbCommand.Restore.class
    })
public final class DbCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Which cluster: {@code --cluster DIR}, or the instance {@code --name} under {@code --home}. */
  static final class Where {
    @Option(
        names = "--name",
        defaultValue = "demo",
        description =
            "Instance name; its cluster is in <home>/<name>/db (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(
        names = "--home",
        description = "State directory (default: $BULWARK_HOME or ~/.bulwark).")
    Path home;

    @ArgGroup(exclusive = true)
    Direct direct;

    static final class Direct {
      @Option(names = "--cluster", description = "The cluster's directory (holding cluster.json).")
      Path cluster;
    }

    Path clusterHome() {
      if (direct != null && direct.cluster != null) {
        return direct.cluster;
      }
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        throw new DbException.BadRequest(
            "--name must be 1 to 64 letters, digits, '.', '_' or '-' but was \"" + name + "\"");
      }
      return (home != null ? home : BulwarkHome.path()).resolve(name).resolve("db");
    }

    DatabaseCluster open() {
      return DatabaseCluster.open(clusterHome());
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Members, role, timeline, lag in bytes and seconds, sync state, and the leader.",
        "--json prints {\"leader\":NAME|null,\"members\":[{\"name\",\"role\",\"zone\",\"region\","
            + "\"pid\",\"host\",\"port\",\"timeline\",\"lagBytes\",\"lagSeconds\",\"sync\"}...]}."
      })
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Where where = new Where();

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Override
    public Integer call() {
      try (DatabaseCluster db = where.open()) {
        ClusterStatus s = db.status();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(s.toJson());
        } else {
          out.println("leader: " + s.leader().orElse("(none)"));
          out.printf(
              "%-12s %-8s %-10s %-10s %-10s %7s %8s %8s %12s %10s %-5s%n",
              "MEMBER",
              "ROLE",
              "STATE",
              "REGION",
              "ZONE",
              "PORT",
              "PID",
              "TIMELINE",
              "LAG BYTES",
              "LAG S",
              "SYNC");
          for (ClusterStatus.Member m : s.members()) {
            out.printf(
                "%-12s %-8s %-10s %-10s %-10s %7d %8s %8s %12s %10s %-5s%n",
                m.name(),
                m.role(),
                m.agentState(),
                m.region(),
                m.zone(),
                m.port(),
                m.pid().isPresent() ? Long.toString(m.pid().getAsLong()) : "-",
                m.timeline().isPresent() ? Integer.toString(m.timeline().getAsInt()) : "-",
                m.lagBytes().isPresent() ? Long.toString(m.lagBytes().getAsLong()) : "-",
                m.lagSeconds().isPresent()
                    ? String.format("%.1f", m.lagSeconds().getAsDouble())
                    : "-",
                m.sync() ? "yes" : "no");
          }
        }
        out.flush();
        return 0;
      }
    }
  }

  @Command(
      name = "switchover",
      mixinStandardHelpOptions = true,
      description =
          "Planned switch of the primary to MEMBER, losing nothing: the primary shuts down once"
              + " its standbys have all its WAL, then MEMBER is promoted; the old primary rejoins"
              + " as a standby.")
  static final class Switchover implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Where where = new Where();

    @Option(
        names = "--to",
        required = true,
        paramLabel = "MEMBER",
        description = "The standby to promote.")
    String to;

    @Option(
        names = "--force",
        description = "Allow an asynchronous standby that lags more than the failover limit.")
    boolean force;

    @Override
    public Integer call() {
      try (DatabaseCluster db = where.open()) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("switching over to " + to + " ...");
        err.flush();
        db.switchover(to, force);
        spec.commandLine().getOut().println("primary: " + to);
        spec.commandLine().getOut().flush();
        return 0;
      }
    }
  }

  @Command(
      name = "failover",
      mixinStandardHelpOptions = true,
      description =
          "Forced failover: the primary (if alive) stops at once and MEMBER, or the most"
              + " up-to-date eligible standby, is promoted. With an asynchronous MEMBER, commits it"
              + " has not received are lost.")
  static final class Failover implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Where where = new Where();

    @Option(names = "--to", paramLabel = "MEMBER", description = "The standby to promote.")
    String to;

    @Override
    public Integer call() {
      try (DatabaseCluster db = where.open()) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("failing over" + (to == null ? "" : " to " + to) + " ...");
        err.flush();
        String leader = db.failover(Optional.ofNullable(to));
        spec.commandLine().getOut().println("primary: " + leader);
        spec.commandLine().getOut().flush();
        return 0;
      }
    }
  }

  @Command(
      name = "backup",
      mixinStandardHelpOptions = true,
      description =
          "Takes a base backup of the primary into its region's archive (and the copy region's),"
              + " then prunes backups older than the retention.")
  static final class Backup implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Where where = new Where();

    @Override
    public Integer call() {
      try (DatabaseCluster db = where.open()) {
        ClusterSpec cs = db.spec();
        String leader =
            db.status()
                .leader()
                .orElseThrow(() -> new DbException.Failed("no primary to back up", null));
        PrintWriter err = spec.commandLine().getErr();
        err.println("backing up " + leader + " ...");
        err.flush();
        BaseBackup b = new Backups(cs, Clock.systemUTC()).take(cs.requireMember(leader));
        spec.commandLine()
            .getOut()
            .println(
                "backup "
                    + b.id()
                    + " of "
                    + b.member()
                    + " (timeline "
                    + b.timeline()
                    + ", WAL "
                    + Lsn.format(b.startLsn())
                    + " to "
                    + Lsn.format(b.stopLsn())
                    + ") in "
                    + b.dir());
        spec.commandLine().getOut().flush();
        return 0;
      }
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description =
          "Point-in-time recovery into a new directory: the newest base backup before the time,"
              + " plus archived WAL replayed up to it. The running cluster is not touched; start the"
              + " result with any PostgreSQL 17 server.")
  static final class Restore implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Where where = new Where();

    @Option(
        names = "--to-time",
        required = true,
        paramLabel = "TIME",
        description = "ISO-8601 instant, e.g. 2026-12-04T15:30:00Z or 2026-12-04T16:30:00+01:00.")
    String toTime;

    @Option(
        names = "--into",
        required = true,
        paramLabel = "DIR",
        description = "New or empty directory.")
    Path into;

    @Option(
        names = "--region",
        paramLabel = "REGION",
        description = "Whose archive to restore from (default: the first member's region).")
    String region;

    @Override
    public Integer call() {
      Instant target = parse(toTime);
      ClusterSpec cs = ClusterSpec.read(where.clusterHome().resolve(ClusterSpec.FILE));
      String from = region != null ? region : cs.members().get(0).region();
      if (!cs.regions().contains(from)
          && !cs.backups().copyToRegion().map(from::equals).orElse(false)) {
        throw new DbException.BadRequest(
            "no region \""
                + from
                + "\" in cluster "
                + cs.name()
                + "; regions: "
                + String.join(", ", cs.regions()));
      }
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "restoring region " + from + "'s archive to " + target + " into " + into + " ...");
      err.flush();
      PointInTimeRestore.Result r =
          new PointInTimeRestore(cs, Clock.systemUTC()).restore(from, target, into);
      spec.commandLine()
          .getOut()
          .println(
              "restored to "
                  + r.target()
                  + " from backup "
                  + r.backup().id()
                  + " into "
                  + r.into()
                  + " (timeline "
                  + r.timeline()
                  + ")");
      spec.commandLine().getOut().flush();
      return 0;
    }

    private static Instant parse(String text) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e) {
        throw new DbException.BadRequest(
            "--to-time: expected an ISO-8601 time with offset like 2026-12-04T15:30:00Z, got \""
                + text
                + "\"");
      }
    }
  }
}
