package io.bulwark.dr.election;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;

/**
 * The cluster's shared state in ZooKeeper, under {@code /bulwark/db/<cluster>}:
 *
 * <ul>
 *   <li>{@code leader} (ephemeral): the member holding the leader lease, its term, and once
 *       promoted the WAL position where its timeline forked;
 *   <li>{@code members/<name>} (ephemeral): each agent's {@link MemberState};
 *   <li>{@code sync}: the standbys that may hold commits acknowledged to clients, the only ones
 *       eligible for automatic failover (Patroni's {@code /sync} key);
 *   <li>{@code optime}: the primary's last published WAL position;
 *   <li>{@code last-leader}: who was promoted last, and the term counter;
 *   <li>{@code request}: a switchover or failover asked for by an operator;
 *   <li>{@code initialized}: set once the bootstrap member created the cluster.
 * </ul>
 */
public final class ClusterStore {

  private final CuratorFramework zk;
  private final String base;
  private volatile Watcher leaderWatcher;

  /** The store of cluster {@code cluster} on {@code zk}. */
  public ClusterStore(CuratorFramework zk, String cluster) {
    this.zk = zk;
    this.base = "/bulwark/db/" + cluster;
  }

  /** The Curator client. */
  public CuratorFramework client() {
    return zk;
  }

  /** Root path of this cluster. */
  public String base() {
    return base;
  }

  /**
   * The lease holder.
   *
   * @param member its name
   * @param term increases by one with each promotion
   * @param ready true once it takes writes
   * @param forkLsn where its timeline began (standbys beyond it must be re-cloned)
   * @param session the ZooKeeper session owning the lease
   */
  public record Leader(String member, long term, boolean ready, long forkLsn, long session) {}

  /**
   * An operator's request.
   *
   * @param kind {@code switchover} or {@code failover}
   * @param to the member to promote, or empty for the best one
   * @param atMs when it was made, epoch ms
   */
  public record Request(String kind, Optional<String> to, long atMs) {}

  /**
   * Runs {@code onChange} (on ZooKeeper's event thread; it must not block) when the lease read by
   * the next {@link #leader()} changes: created, changed, or gone because its holder released it or
   * its session expired. Lets an agent act on a lost lease at once instead of at its next loop.
   */
  public void watchLeader(Runnable onChange) {
    this.leaderWatcher = event -> onChange.run();
  }

  /** The leader lease, if held. */
  public Optional<Leader> leader() throws Exception {
    Stat stat = new Stat();
    Watcher watcher = leaderWatcher;
    try {
      byte[] data =
          watcher == null
              ? zk.getData().storingStatIn(stat).forPath(base + "/leader")
              : zk.getData().storingStatIn(stat).usingWatcher(watcher).forPath(base + "/leader");
      JsonNode n = Json.parse(new String(data, StandardCharsets.UTF_8));
      return Optional.of(
          new Leader(
              n.path("member").asText(),
              n.path("term").asLong(),
              n.path("ready").asBoolean(),
              n.path("forkLsn").asLong(),
              stat.getEphemeralOwner()));
    } catch (KeeperException.NoNodeException e) {
      if (watcher != null) {
        zk.checkExists().usingWatcher(watcher).forPath(base + "/leader");
      }
      return Optional.empty();
    }
  }

  /** Takes the lease for {@code member} in {@code term}; false when someone holds it. */
  boolean acquire(String member, long term) throws Exception {
    try {
      zk.create()
          .creatingParentContainersIfNeeded()
          .withMode(CreateMode.EPHEMERAL)
          .forPath(base + "/leader", leaderBytes(member, term, false, 0));
      return true;
    } catch (KeeperException.NodeExistsException e) {
      return false;
    }
  }

  /** Marks the lease holder as taking writes, with its timeline's fork position. */
  void markReady(String member, long term, long forkLsn) throws Exception {
    zk.setData().forPath(base + "/leader", leaderBytes(member, term, true, forkLsn));
  }

  /** Gives the lease up if {@code member} holds it on this session. */
  void release(String member) throws Exception {
    Optional<Leader> l = leader();
    if (l.isPresent()
        && l.get().member().equals(member)
        && l.get().session() == zk.getZookeeperClient().getZooKeeper().getSessionId()) {
      try {
        zk.delete().forPath(base + "/leader");
      } catch (KeeperException.NoNodeException ignored) {
        // already gone
      }
    }
  }

  /** Deletes a lease that a previous, dead agent of {@code member} left behind. */
  void removeStaleLease(String member) throws Exception {
    Optional<Leader> l = leader();
    if (l.isPresent()
        && l.get().member().equals(member)
        && l.get().session() != zk.getZookeeperClient().getZooKeeper().getSessionId()) {
      try {
        zk.delete().forPath(base + "/leader");
      } catch (KeeperException.NoNodeException ignored) {
        // expired meanwhile
      }
    }
  }

  /** Publishes {@code state} as this agent's ephemeral member node. */
  void publish(MemberState state) throws Exception {
    String path = base + "/members/" + state.name();
    byte[] data = state.toBytes();
    try {
      zk.setData().forPath(path, data);
      Stat stat = zk.checkExists().forPath(path);
      if (stat != null
          && stat.getEphemeralOwner() != zk.getZookeeperClient().getZooKeeper().getSessionId()) {
        // a node left by a previous agent's session: replace it with ours
        zk.delete().forPath(path);
        zk.create()
            .creatingParentContainersIfNeeded()
            .withMode(CreateMode.EPHEMERAL)
            .forPath(path, data);
      }
    } catch (KeeperException.NoNodeException e) {
      zk.create()
          .creatingParentContainersIfNeeded()
          .withMode(CreateMode.EPHEMERAL)
          .forPath(path, data);
    }
  }

  /** Every published member state, by name. */
  public Map<String, MemberState> members() throws Exception {
    Map<String, MemberState> states = new LinkedHashMap<>();
    List<String> names;
    try {
      names = zk.getChildren().forPath(base + "/members");
    } catch (KeeperException.NoNodeException e) {
      return states;
    }
    for (String name : names.stream().sorted().toList()) {
      try {
        states.put(name, MemberState.fromBytes(zk.getData().forPath(base + "/members/" + name)));
      } catch (KeeperException.NoNodeException gone) {
        // its session ended while we listed
      }
    }
    return states;
  }

  /** The standbys that may hold acknowledged commits. */
  public List<String> sync() throws Exception {
    Optional<JsonNode> n = read("sync");
    List<String> names = new ArrayList<>();
    n.ifPresent(j -> j.path("members").forEach(m -> names.add(m.asText())));
    return names;
  }

  void setSync(List<String> members) throws Exception {
    ObjectNode n = Json.object();
    members.forEach(n.putArray("members")::add);
    write("sync", n);
  }

  /** The primary's last published WAL position (0 before any). */
  public long optime() throws Exception {
    return read("optime").map(n -> n.path("lsn").asLong()).orElse(0L);
  }

  void setOptime(long lsn) throws Exception {
    ObjectNode n = Json.object();
    n.put("lsn", lsn);
    write("optime", n);
  }

  /** The member promoted last, if any. */
  public Optional<String> lastLeader() throws Exception {
    return read("last-leader").map(n -> n.path("member").asText());
  }

  /** The highest term handed out so far. */
  long term() throws Exception {
    return read("last-leader").map(n -> n.path("term").asLong()).orElse(0L);
  }

  void setLastLeader(String member, long term) throws Exception {
    ObjectNode n = Json.object();
    n.put("member", member);
    n.put("term", term);
    write("last-leader", n);
  }

  /** The pending operator request, if any. */
  public Optional<Request> request() throws Exception {
    return read("request")
        .map(
            n ->
                new Request(
                    n.path("kind").asText(),
                    n.hasNonNull("to") ? Optional.of(n.get("to").asText()) : Optional.empty(),
                    n.path("atMs").asLong()));
  }

  /** Asks the cluster for a switchover or failover. */
  public void request(Request request) throws Exception {
    ObjectNode n = Json.object();
    n.put("kind", request.kind());
    request.to().ifPresent(t -> n.put("to", t));
    n.put("atMs", request.atMs());
    write("request", n);
  }

  void clearRequest() throws Exception {
    try {
      zk.delete().forPath(base + "/request");
    } catch (KeeperException.NoNodeException ignored) {
      // done by someone else
    }
  }

  /** Whether the cluster has been initialised. */
  public boolean initialized() throws Exception {
    return zk.checkExists().forPath(base + "/initialized") != null;
  }

  void markInitialized() throws Exception {
    try {
      zk.create().creatingParentContainersIfNeeded().forPath(base + "/initialized");
    } catch (KeeperException.NodeExistsException ignored) {
      // already
    }
  }

  private Optional<JsonNode> read(String node) throws Exception {
    try {
      return Optional.of(
          Json.parse(new String(zk.getData().forPath(base + "/" + node), StandardCharsets.UTF_8)));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
  }

  private void write(String node, JsonNode value) throws Exception {
    byte[] data = Json.write(value).getBytes(StandardCharsets.UTF_8);
    try {
      zk.setData().forPath(base + "/" + node, data);
    } catch (KeeperException.NoNodeException e) {
      zk.create().creatingParentContainersIfNeeded().forPath(base + "/" + node, data);
    }
  }

  private static byte[] leaderBytes(String member, long term, boolean ready, long forkLsn) {
    ObjectNode n = Json.object();
    n.put("member", member);
    n.put("term", term);
    n.put("ready", ready);
    n.put("forkLsn", forkLsn);
    return Json.write(n).getBytes(StandardCharsets.UTF_8);
  }
}
