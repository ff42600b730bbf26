package io.bulwark.commerce.cli;

import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.ordering.OrderProjection;
import io.bulwark.platform.Platform;
import io.bulwark.postgres.BulwarkHome;
import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark projections}: the order read views of an instance (its embedded PostgreSQL in
 * {@code <home>/<name>/pg}) or of an external database. {@code rebuild} drops the views and replays
 * every order event of the event store into them, on a stopped instance only (migrating the
 * database first, which moves an old ordering log into the event store); {@code status} shows the
 * checkpoint against the last order event in the event store, also next to a running instance. Exit
 * codes: 0 done, 1 the database could not be used (instance running, unreachable), 2 bad input
 * (conflicting options, no such instance, not a Bulwark database).
 */
@Command(
    name = "projections",
    mixinStandardHelpOptions = true,
    description = "Rebuild or inspect the order read views built from the event log.",
    subcommands = {ProjectionsCommand.Rebuild.class, ProjectionsCommand.Status.class})
public final class ProjectionsCommand implements Callable<Integer> {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int BAD_INPUT = 2;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return BAD_INPUT;
  }

  /** {@code bulwark projections rebuild}. */
  @Command(
      name = "rebuild",
      mixinStandardHelpOptions = true,
      description = {
        "Drops the order views (order list, customer statistics) and replays every order event"
            + " of the event store into them, printing progress.",
        "Works on a stopped instance (its embedded PostgreSQL is started for the rebuild and"
            + " stopped after) or an external database. On a live system use POST"
            + " /api/v1/admin/projections/orders/rebuild instead."
      })
  static final class Rebuild implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;

    @Override
    public Integer call() {
      return target.run(
          spec,
          true,
          (projection, out) -> {
            long started = System.nanoTime();
            out.println("rebuilding order views from the event log ...");
            out.flush();
            int events =
                projection.rebuild(
                    n -> {
                      out.println("  replayed " + n + " events");
                      out.flush();
                    });
            OrderProjection.Lag lag = projection.lag();
            out.printf(
                "rebuilt order views: %d events replayed in %.1f s; checkpoint at %s, %d behind%n",
                events, (System.nanoTime() - started) / 1e9, lag.checkpoint(), lag.behind());
            return OK;
          });
    }
  }

  /** {@code bulwark projections status}. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Shows the order projection's checkpoint, the last order event in the event store and"
              + " the lag between them, for an instance (running or stopped) or an external database. Changes"
              + " nothing.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target;

    @Option(
        names = "--json",
        description =
            "print {\"projection\",\"checkpoint\",\"head\",\"behind\",\"heldBack\"} on stdout")
    boolean json;

    @Override
    public Integer call() {
      return target.run(
          spec,
          false,
          (projection, out) -> {
            OrderProjection.Lag lag = projection.lag();
            if (json) {
              out.println(
                  io.bulwark.kernel.Json.write(
                      io.bulwark.kernel.Json.object()
                          .put("projection", "orders")
                          .put("checkpoint", lag.checkpoint().toString())
                          .put("head", lag.head().toString())
                          .put("behind", lag.behind())
                          .put("heldBack", lag.heldBack())));
              return OK;
            }
            out.println("projection: orders (the event store's order-* streams)");
            out.println("checkpoint: " + lag.checkpoint() + " (transaction/position)");
            out.println("log head:   " + lag.head() + " (last order event readable now)");
            out.println("lag:        " + lag.behind() + " events");
            out.println(
                "held back:  "
                    + lag.heldBack()
                    + " events (committed behind a transaction still running)");
            return OK;
          });
    }
  }

  /** What a subcommand does with the projection once the database is open. */
  @FunctionalInterface
  interface Work {
    int run(OrderProjection projection, PrintWriter out);
  }

  /** Which database: an instance's embedded PostgreSQL, or an external one. */
  static final class Target {

    @Option(
        names = "--name",
        defaultValue = "demo",
        description =
            "Instance name; its database is in <home>/<name>/pg (default: ${DEFAULT-VALUE}).")
    String name;

    @ArgGroup(exclusive = true)
    Where where;

    static final class Where {
      @Option(
          names = "--home",
          description = "State directory (default: $BULWARK_HOME or ~/.bulwark).")
      Path home;

      @ArgGroup(exclusive = false)
      External external;
    }

    static final class External {
      @Option(names = "--jdbc-url", required = true, description = "An external PostgreSQL.")
      String jdbcUrl;

      @Option(names = "--db-user", defaultValue = "postgres", description = "External DB user.")
      String dbUser;

      @Option(
          names = "--db-password",
          defaultValue = "",
          description = "External DB password (or env BULWARK_DB_PASSWORD).")
      String dbPassword;
    }

    /** Runs {@code work}; {@code writes} says whether it changes the views (then it migrates). */
    int run(CommandSpec spec, boolean writes, Work work) {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      String me = spec.qualifiedName();
      try {
        if (where != null && where.external != null) {
          return external(where.external, writes, work, out, err);
        }
        return embedded(writes, work, out, err);
      } catch (Refused e) {
        err.println(me + ": " + e.getMessage());
        return e.exitCode;
      } catch (RuntimeException e) {
        err.println(me + ": " + describe(e));
        return FAILED;
      } finally {
        out.flush();
        err.flush();
      }
    }

    private int external(External x, boolean writes, Work work, PrintWriter out, PrintWriter err) {
      if (!x.jdbcUrl.startsWith("jdbc:postgresql:")) {
        throw new Refused(
            BAD_INPUT, "--jdbc-url must start with jdbc:postgresql: but was \"" + x.jdbcUrl + "\"");
      }
      String env = System.getenv("BULWARK_DB_PASSWORD");
      String password = x.dbPassword.isEmpty() && env != null ? env : x.dbPassword;
      if (writes) {
        err.println(
            "note: a server using "
                + x.jdbcUrl
                + " keeps serving its cached views; prefer the admin endpoint on a live system");
      }
      return withDatabase(x.jdbcUrl, x.dbUser, password, writes, work, out);
    }

    private int embedded(boolean writes, Work work, PrintWriter out, PrintWriter err) {
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        throw new Refused(
            BAD_INPUT,
            "--name must be 1 to 64 letters, digits, '.', '_' or '-' but was \"" + name + "\"");
      }
      Path home = where != null && where.home != null ? where.home : BulwarkHome.path();
      Path pgDir = home.resolve(name).resolve("pg");
      if (!Files.exists(pgDir.resolve("PG_VERSION"))) {
        throw new Refused(
            BAD_INPUT,
            "no instance \"" + name + "\" in " + home + ": " + pgDir + " holds no database");
      }
      Optional<Postmaster> live = livePostmaster(pgDir);
      if (live.isPresent() && !writes && live.get().port() > 0) {
        // Reading is safe next to a running instance: use its live database as it is.
        return withDatabase(
            "jdbc:postgresql://127.0.0.1:" + live.get().port() + "/" + Platform.DATABASE,
            PostgresServer.SUPERUSER,
            "",
            false,
            work,
            out);
      }
      if (live.isPresent()) {
        throw new Refused(
            FAILED,
            "instance \""
                + name
                + "\" is running (PostgreSQL pid "
                + live.get().pid()
                + " holds "
                + pgDir
                + "); stop it first, or on the live system use POST"
                + " /api/v1/admin/projections/orders/rebuild");
      }
      err.println("starting embedded PostgreSQL in " + pgDir + " ...");
      err.flush();
      try (PostgresServer pg = PostgresServer.builder(pgDir).build().start()) {
        return withDatabase(
            pg.jdbcUrl(Platform.DATABASE), PostgresServer.SUPERUSER, "", writes, work, out);
      }
    }

    private static int withDatabase(
        String url, String user, String password, boolean writes, Work work, PrintWriter out) {
      try (Database db = Database.connect(url, user, password, 2)) {
        requireCommerceSchema(db, url, writes);
        if (writes) {
          db.migrate("eventstore");
          Commerce.MIGRATIONS.forEach(db::migrate);
        }
        return work.run(Commerce.standaloneOrderProjection(db.dataSource()), out);
      }
    }

    /**
     * Refuses a database without the ordering tables and, when only reading, one whose order events
     * are not in the event store yet (a migration that {@code rebuild} or a server start runs).
     */
    private static void requireCommerceSchema(Database db, String url, boolean writes) {
      try (Connection c = db.dataSource().getConnection();
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "select to_regclass('ordering_projection_checkpoints') is not null,"
                          + " to_regclass('eventstore_events') is not null and"
                          + " to_regclass('ordering_events') is null")) {
        rs.next();
        if (!rs.getBoolean(1)) {
          throw new Refused(
              BAD_INPUT,
              url + " holds no Bulwark order log (no ordering tables): is it a Bulwark database?");
        }
        if (!writes && !rs.getBoolean(2)) {
          throw new Refused(
              FAILED,
              url
                  + " keeps its order events in the old ordering log, not yet moved to the event"
                  + " store: run `bulwark projections rebuild` or start the server once to"
                  + " migrate it");
        }
      } catch (SQLException e) {
        throw new Refused(FAILED, "cannot use " + url + ": " + describe(e), e);
      }
    }

    /** A running PostgreSQL server process and its port (0 when its pid file does not say). */
    record Postmaster(long pid, int port) {}

    /** The live postmaster holding {@code pgDir}, per its {@code postmaster.pid}. */
    static Optional<Postmaster> livePostmaster(Path pgDir) {
      Path pidFile = pgDir.resolve("postmaster.pid");
      List<String> lines;
      try {
        lines = Files.exists(pidFile) ? Files.readAllLines(pidFile) : List.of();
      } catch (IOException e) {
        return Optional.empty();
      }
      if (lines.isEmpty()) {
        return Optional.empty();
      }
      long pid;
      int port;
      try {
        pid = Long.parseLong(lines.get(0).trim());
        // Line 4 of postmaster.pid is the port the server listens on.
        port = lines.size() > 3 ? Integer.parseInt(lines.get(3).trim()) : 0;
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(h -> h.info().command().map(cmd -> cmd.endsWith("postgres")).orElse(false))
          .map(h -> new Postmaster(h.pid(), port));
    }

    private static String describe(Throwable e) {
      StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
      for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
        if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
          sb.append(": ").append(c.getMessage());
        }
      }
      return sb.toString();
    }
  }

  /** The command cannot go on; {@code exitCode} says whether the input was at fault. */
  private static final class Refused extends RuntimeException {
    final int exitCode;

    Refused(int exitCode, String message) {
      this(exitCode, message, null);
    }

    Refused(int exitCode, String message, Throwable cause) {
      super(message, cause);
      this.exitCode = exitCode;
    }
  }
}
