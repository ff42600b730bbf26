package io.bulwark.dr.election;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.ZooKeeperSpec;
import io.bulwark.dr.internal.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A ZooKeeper ensemble that Bulwark runs on this machine: one {@code QuorumPeerMain} process per
 * member (one per zone), each with its own data directory and ports. A tick of 250 ms lets sessions
 * be as short as 500 ms. Survives the loss of any one member.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {

  private static final String MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";

  private final ClusterSpec spec;
  private final Path dir;
  private final Path logback;
  private final Map<Integer, ChildProcess> running = new TreeMap<>();

  /** The ensemble of {@code spec} (which must describe local members). */
  public ZooKeeperEnsemble(ClusterSpec spec) {
    if (spec.zookeeper().members().isEmpty()) {
      throw new IllegalArgumentException("the cluster uses an external ZooKeeper ensemble");
    }
    this.spec = spec;
    this.dir = spec.home().resolve("zookeeper");
    this.logback = ChildProcess.writeLogbackConfig(spec.home().resolve("logback-children.xml"));
  }

  /** Starts every member that is not running. */
  public synchronized ZooKeeperEnsemble start() {
    for (ZooKeeperSpec.Node node : spec.zookeeper().members()) {
      startMember(node.id());
    }
    return this;
  }

  /** Starts member {@code id} unless it runs. */
  public synchronized void startMember(int id) {
    ChildProcess p = running.get(id);
    if (p != null && p.alive()) {
      return;
    }
    ZooKeeperSpec.Node node = node(id);
    Path home = dir.resolve("zk-" + id);
    Path data = home.resolve("data");
    try {
      Files.createDirectories(data);
      Files.writeString(data.resolve("myid"), Integer.toString(id));
      StringBuilder cfg = new StringBuilder();
      cfg.append("tickTime=250\n")
          .append("initLimit=40\n")
          .append("syncLimit=8\n")
          .append("dataDir=")
          .append(data)
          .append('\n')
          .append("clientPort=")
          .append(node.clientPort())
          .append('\n')
          .append("clientPortAddress=127.0.0.1\n")
          .append("minSessionTimeout=500\n")
          .append("maxSessionTimeout=60000\n")
          .append("admin.enableServer=false\n")
          .append("autopurge.purgeInterval=1\n")
          .append("4lw.commands.whitelist=ruok,srvr,mntr\n");
      for (ZooKeeperSpec.Node n : spec.zookeeper().members()) {
        cfg.append("server.")
            .append(n.id())
            .append("=127.0.0.1:")
            .append(n.quorumPort())
            .append(':')
            .append(n.electionPort())
            .append('\n');
      }
      Path cfgFile = home.resolve("zoo.cfg");
      Files.writeString(cfgFile, cfg);
      running.put(
          id,
          ChildProcess.start(
              MAIN,
              List.of(cfgFile.toString()),
              "128m",
              home.resolve("zookeeper.log"),
              home.resolve("zookeeper.pid"),
              logback,
              true));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare ZooKeeper member " + id + " in " + home, e);
    }
  }

  /** Stops member {@code id} (SIGTERM). */
  public synchronized void stopMember(int id) {
    ChildProcess p = running.remove(id);
    if (p != null) {
      p.stop(10);
    }
  }

  /** Kills member {@code id} with SIGKILL. */
  public synchronized void killMember(int id) {
    ChildProcess p = running.remove(id);
    if (p != null) {
      p.kill();
    }
  }

  /** The pid of member {@code id}, if it runs. */
  public synchronized java.util.Optional<Long> pid(int id) {
    ChildProcess p = running.get(id);
    return p != null && p.alive() ? java.util.Optional.of(p.pid()) : java.util.Optional.empty();
  }

  /** The connect string. */
  public String connectString() {
    return spec.zookeeper().connectString();
  }

  private ZooKeeperSpec.Node node(int id) {
    return spec.zookeeper().members().stream()
        .filter(n -> n.id() == id)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no ZooKeeper member " + id));
  }

  /** Stops every member. */
  @Override
  public synchronized void close() {
    for (ChildProcess p : running.values()) {
      p.stop(10);
    }
    running.clear();
  }
}
