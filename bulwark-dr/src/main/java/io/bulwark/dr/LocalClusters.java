package io.bulwark.dr;

import io.bulwark.dr.internal.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Clusters Bulwark runs on this machine with free ports, kept across restarts. */
public final class LocalClusters {

  /** ZooKeeper session timeout of local clusters: the detection bound of a dead member. */
  public static final Duration SESSION_TIMEOUT = Duration.ofMillis(3000);

  /** Agent loop interval of local clusters. */
  public static final Duration LOOP_INTERVAL = Duration.ofMillis(250);

  private LocalClusters() {}

  /**
   * The cluster of {@code bulwark demo --ha} in {@code home}: primary {@code pg-a} in zone-a, a
   * synchronous standby {@code pg-b} in zone-b (either is the other's synchronous standby after a
   * failover), and a ZooKeeper member in each of zone-a, zone-b, zone-c. An existing {@code
   * cluster.json} is reused, so ports stay the same across restarts.
   */
  public static ClusterSpec demo(Path home) {
    Path file = home.resolve(ClusterSpec.FILE);
    if (Files.exists(file)) {
      return ClusterSpec.read(file);
    }
    Ports ports = new Ports();
    List<MemberSpec> members =
        List.of(
            new MemberSpec("pg-a", "local", "zone-a", true, ports.next(), true),
            new MemberSpec("pg-b", "local", "zone-b", true, ports.next(), false));
    return new ClusterSpec(
        "demo",
        home,
        members,
        localEnsemble(ports, List.of("zone-a", "zone-b", "zone-c")),
        FailoverPolicy.defaults(),
        SESSION_TIMEOUT,
        LOOP_INTERVAL,
        BackupPolicy.defaults(),
        1);
  }

  /** Three local ZooKeeper members, one per zone of {@code zones} (repeating if fewer). */
  public static ZooKeeperSpec localEnsemble(Ports ports, List<String> zones) {
    return new ZooKeeperSpec(
        Optional.empty(),
        List.of(
            new ZooKeeperSpec.Node(1, zones.get(0), ports.next(), ports.next(), ports.next()),
            new ZooKeeperSpec.Node(
                2, zones.get(1 % zones.size()), ports.next(), ports.next(), ports.next()),
            new ZooKeeperSpec.Node(
                3, zones.get(2 % zones.size()), ports.next(), ports.next(), ports.next())));
  }

  /**
   * Creates {@code database} through {@code url} (to the primary's postgres database) if missing.
   */
  public static void createDatabaseIfMissing(String url, String database) {
    if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "database name must match [a-z_][a-z0-9_]{0,62} but was \"" + database + "\"");
    }
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        var st = c.prepareStatement("select 1 from pg_database where datname = ?")) {
      st.setString(1, database);
      if (!st.executeQuery().next()) {
        c.createStatement().execute("create database " + database);
      }
    } catch (SQLException e) {
      throw new DbException.Failed("cannot create database " + database + ": " + e.getMessage(), e);
    }
  }
}
