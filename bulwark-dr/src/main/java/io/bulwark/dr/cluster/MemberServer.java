package io.bulwark.dr.cluster;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.MemberSpec;
import io.bulwark.kernel.Trees;
import io.bulwark.postgres.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's PostgreSQL server and what can be done to it as the cluster changes: initialise it
 * as the first primary, clone it from the primary as a standby, start it, point it at another
 * primary, promote it, set which standbys commits wait for, fence it.
 */
public final class MemberServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MemberServer.class);

  private final ClusterSpec spec;
  private final MemberSpec member;
  private final boolean dieWithParent;
  private PostgresServer server;

  /**
   * The server of {@code member}; {@code dieWithParent} makes it stop immediately when the thread
   * that starts it dies (set by the member's agent, so that its death fences its server).
   */
  public MemberServer(ClusterSpec spec, MemberSpec member, boolean dieWithParent) {
    this.spec = spec;
    this.member = member;
    this.dieWithParent = dieWithParent;
  }

  /** The member. */
  public MemberSpec member() {
    return member;
  }

  /** Its data directory. */
  public Path dataDir() {
    return spec.dataDir(member.name());
  }

  /** Whether it has a data directory (initialised or cloned). */
  public boolean hasData() {
    return Files.exists(dataDir().resolve("PG_VERSION"));
  }

  /** Whether its server process (started here) runs. */
  public boolean running() {
    return server != null && server.running();
  }

  /** The postmaster's pid, when running. */
  public Optional<Long> pid() {
    return server == null ? Optional.empty() : server.pid();
  }

  /** Initialises a new data directory and starts it as the cluster's first primary. */
  public void initialisePrimary() {
    ensureArchiveDirs();
    server = builder().build();
    server.start();
    ServerConfig.ensureInclude(dataDir());
    ServerConfig.allowMembers(dataDir(), spec);
    ServerConfig.write(dataDir(), Map.of("synchronous_standby_names", ""));
    reload();
  }

  /**
   * Replaces this member's data with a fresh copy of {@code source}'s (running) and configures it
   * to stream from {@code source}; the server is not started.
   */
  public OnlineBackup.Result cloneFrom(MemberSpec source) {
    stopImmediately();
    Path data = dataDir();
    try {
      Trees.delete(data);
      Files.createDirectories(data.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + data, e);
    }
    OnlineBackup.Result result =
        OnlineBackup.copy(
            source,
            spec.dataDir(source.name()),
            data,
            "clone " + member.name() + " from " + source.name(),
            false);
    ServerConfig.ensureInclude(data);
    ServerConfig.allowMembers(data, spec);
    writeStandbyConfig(source);
    log.info(
        "cloned {} from {} (WAL {} to {})",
        member.name(),
        source.name(),
        Lsn.format(result.startLsn()),
        Lsn.format(result.stopLsn()));
    return result;
  }

  /** Starts the server as it is on disk (a standby when {@code standby.signal} is there). */
  public void start() {
    if (running()) {
      return;
    }
    ensureArchiveDirs();
    if (hasData()) {
      ServerConfig.allowMembers(dataDir(), spec); // a member added to the spec since the clone
    }
    server = builder().build();
    server.start();
  }

  /** Marks the data directory as a standby of {@code source} (takes effect at the next start). */
  public void makeStandbyOf(MemberSpec source) {
    writeStandbyConfig(source);
  }

  /** Points a running standby at {@code source} without a restart. */
  public void follow(MemberSpec source) {
    writeStandbyConfig(source);
    reload();
  }

  /** The source this standby is configured to stream from, if any. */
  public Optional<String> following() {
    String conninfo = ServerConfig.read(dataDir()).get("primary_conninfo");
    if (conninfo == null) {
      return Optional.empty();
    }
    for (MemberSpec m : spec.members()) {
      if (conninfo.contains("host=" + m.host() + " port=" + m.port() + " ")) {
        return Optional.of(m.name());
      }
    }
    return Optional.empty();
  }

  /**
   * Promotes this standby: commits wait for {@code syncStandbys} from the first write on (empty:
   * none), then {@code pg_promote} and wait until it takes writes.
   */
  public void promote(List<String> syncStandbys, Duration wait) {
    Map<String, String> conf = new LinkedHashMap<>(ServerConfig.read(dataDir()));
    conf.put("synchronous_standby_names", ServerConfig.synchronousStandbyNames(syncStandbys));
    ServerConfig.write(dataDir(), conf);
    reload();
    server.promote(wait);
  }

  /** Sets the standbys a commit waits for (one of them), reloading the configuration. */
  public void setSynchronousStandbys(List<String> names) {
    Map<String, String> conf = new LinkedHashMap<>(ServerConfig.read(dataDir()));
    conf.put("synchronous_standby_names", ServerConfig.synchronousStandbyNames(names));
    ServerConfig.write(dataDir(), conf);
    reload();
  }

  /** The server's state over SQL. */
  public ServerState state() throws SQLException {
    return ServerProbe.read(member);
  }

  /** Fences: immediate shutdown, no transaction commits after this returns. */
  public void stopImmediately() {
    if (server != null) {
      server.stopImmediately();
    }
  }

  /** Kills the postmaster with SIGKILL (failure tests only). */
  public void kill() {
    if (server != null) {
      server.kill();
    }
  }

  /** Fast shutdown: connected standbys receive every WAL record before the server exits. */
  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }

  private void reload() {
    try (Connection c = ServerProbe.connect(member);
        var st = c.createStatement()) {
      st.execute("select pg_reload_conf()");
    } catch (SQLException e) {
      throw new ReplicationException(
          "cannot reload the configuration of " + member.name() + ": " + e.getMessage(), e);
    }
  }

  private void writeStandbyConfig(MemberSpec source) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("primary_conninfo", ServerConfig.conninfo(source, member.name()));
    conf.put("restore_command", ServerConfig.restoreCommand(spec, member.region()));
    conf.put("recovery_target_timeline", "latest");
    conf.put("synchronous_standby_names", "");
    ServerConfig.write(dataDir(), conf);
    try {
      Files.writeString(dataDir().resolve("standby.signal"), "");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write standby.signal in " + dataDir(), e);
    }
  }

  private void ensureArchiveDirs() {
    try {
      for (String region : spec.archiveRegions(member.region())) {
        Files.createDirectories(spec.walArchive(region));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the WAL archive directories", e);
    }
  }

  private PostgresServer.Builder builder() {
    PostgresServer.Builder b =
        PostgresServer.builder(dataDir())
            .host(member.host())
            .port(member.port())
            .dieWithParent(dieWithParent)
            .walSegmentSizeMb(spec.walSegmentMb())
            .startTimeout(Duration.ofSeconds(120));
    ServerConfig.fixedSettings(spec, member).forEach(b::setting);
    return b;
  }
}
