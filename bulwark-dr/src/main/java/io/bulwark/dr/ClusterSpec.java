package io.bulwark.dr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the processes of one database cluster share: its members, where its coordination store
 * is, its failover policy and timings, its backups, and the directory holding its state. Written to
 * {@code cluster.json} in {@code home}, which every member agent and {@code bulwark db} read.
 *
 * @param name cluster name (the ZooKeeper namespace)
 * @param home directory with the members' data, the WAL archive, backups and logs
 * @param members the database servers; exactly one has {@code bootstrap}
 * @param zookeeper the coordination store
 * @param policy what automatic failover may do
 * @param sessionTimeout ZooKeeper session timeout: a primary that cannot reach the store for this
 *     long has already stopped taking writes, and a dead member's lease expires after it
 * @param loopInterval how often each agent checks its server and the store
 * @param backups WAL archiving and base backups
 * @param walSegmentMb WAL segment size given to initdb (archived files have this size)
 */
public record ClusterSpec(
    String name,
    Path home,
    List<MemberSpec> members,
    ZooKeeperSpec zookeeper,
    FailoverPolicy policy,
    Duration sessionTimeout,
    Duration loopInterval,
    BackupPolicy backups,
    int walSegmentMb) {

  /** File name of the spec inside {@code home}. */
  public static final String FILE = "cluster.json";

  public ClusterSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(zookeeper, "zookeeper");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(sessionTimeout, "sessionTimeout");
    Objects.requireNonNull(loopInterval, "loopInterval");
    Objects.requireNonNull(backups, "backups");
    members = List.copyOf(members);
    home = home.toAbsolutePath();
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a cluster needs at least one member");
    }
    if (members.stream().filter(MemberSpec::bootstrap).count() != 1) {
      throw new IllegalArgumentException("exactly one member must bootstrap the cluster");
    }
    if (new HashSet<>(members.stream().map(MemberSpec::name).toList()).size() != members.size()) {
      throw new IllegalArgumentException("member names must be unique");
    }
    if (sessionTimeout.toMillis() < 500) {
      throw new IllegalArgumentException(
          "sessionTimeout must be at least 500ms but was " + sessionTimeout.toMillis() + "ms");
    }
    if (loopInterval.multipliedBy(4).compareTo(sessionTimeout) > 0) {
      throw new IllegalArgumentException(
          "loopInterval must be at most a quarter of sessionTimeout ("
              + sessionTimeout.toMillis()
              + "ms) but was "
              + loopInterval.toMillis()
              + "ms");
    }
  }

  /** The member called {@code name}. */
  public Optional<MemberSpec> member(String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  /** The member called {@code name}, or a bad-request error naming the members that exist. */
  public MemberSpec requireMember(String name) {
    return member(name)
        .orElseThrow(
            () ->
                new DbException.BadRequest(
                    "no member \""
                        + name
                        + "\" in cluster "
                        + this.name
                        + "; members: "
                        + String.join(", ", members.stream().map(MemberSpec::name).toList())));
  }

  /** The member that initialises the cluster. */
  public MemberSpec bootstrapMember() {
    return members.stream().filter(MemberSpec::bootstrap).findFirst().orElseThrow();
  }

  /** A member's data directory. */
  public Path dataDir(String member) {
    return home.resolve("members").resolve(member).resolve("data");
  }

  /** A member's directory (data, logs, pid files). */
  public Path memberDir(String member) {
    return home.resolve("members").resolve(member);
  }

  /** Directory of region {@code region}'s WAL archive. */
  public Path walArchive(String region) {
    return home.resolve("archive").resolve(region).resolve("wal");
  }

  /** Directory of region {@code region}'s base backups. */
  public Path baseBackups(String region) {
    return home.resolve("archive").resolve(region).resolve("base");
  }

  /** The regions that receive WAL and base backups: the primary's and the copy region. */
  public List<String> archiveRegions(String primaryRegion) {
    List<String> regions = new ArrayList<>(List.of(primaryRegion));
    backups.copyToRegion().filter(r -> !r.equals(primaryRegion)).ifPresent(regions::add);
    return regions;
  }

  /** Every region a member runs in, in member order. */
  public List<String> regions() {
    return members.stream().map(MemberSpec::region).distinct().toList();
  }

  /** pgjdbc URL over every member, following the primary ({@code targetServerType=primary}). */
  public String jdbcUrl(String database) {
    return jdbcUrl(database, "primary");
  }

  /**
   * pgjdbc URL over every member for reads that may be slightly stale: a standby when one answers
   * ({@code targetServerType=preferSecondary}, spread over the standbys with {@code
   * loadBalanceHosts}), else the primary.
   */
  public String readJdbcUrl(String database) {
    return jdbcUrl(database, "preferSecondary") + "&loadBalanceHosts=true";
  }

  /**
   * pgjdbc multi-host URL over every member with {@code targetServerType} ({@code primary}, {@code
   * preferSecondary}, ...). Host status is rechecked every second so that clients find a newly
   * promoted primary at once.
   */
  public String jdbcUrl(String database, String targetServerType) {
    return "jdbc:postgresql://"
        + String.join(",", members.stream().map(MemberSpec::address).toList())
        + "/"
        + database
        + "?targetServerType="
        + targetServerType
        + "&hostRecheckSeconds=1&connectTimeout=2&socketTimeout=30";
  }

  /** Writes the spec to {@code home/cluster.json} (atomically). */
  public Path write() {
    ObjectNode root = Json.object();
    root.put("name", name);
    root.put("home", home.toString());
    ArrayNode ms = root.putArray("members");
    for (MemberSpec m : members) {
      ObjectNode n = ms.addObject();
      n.put("name", m.name());
      n.put("region", m.region());
      n.put("zone", m.zone());
      n.put("sync", m.sync());
      n.put("host", m.host());
      n.put("port", m.port());
      n.put("bootstrap", m.bootstrap());
    }
    ObjectNode zk = root.putObject("zookeeper");
    zookeeper.external().ifPresent(e -> zk.put("external", e));
    ArrayNode zm = zk.putArray("members");
    for (ZooKeeperSpec.Node z : zookeeper.members()) {
      ObjectNode n = zm.addObject();
      n.put("id", z.id());
      n.put("zone", z.zone());
      n.put("clientPort", z.clientPort());
      n.put("quorumPort", z.quorumPort());
      n.put("electionPort", z.electionPort());
    }
    ObjectNode p = root.putObject("policy");
    p.put("strictSync", policy.strictSync());
    p.put("allowAsync", policy.allowAsync());
    p.put("maxLagBytes", policy.maxLagBytes());
    root.put("sessionTimeoutMs", sessionTimeout.toMillis());
    root.put("loopIntervalMs", loopInterval.toMillis());
    ObjectNode b = root.putObject("backups");
    b.put("windowStart", backups.windowStart().toString());
    b.put("windowEnd", backups.windowEnd().toString());
    b.put("retentionSeconds", backups.retention().toSeconds());
    backups.copyToRegion().ifPresent(r -> b.put("copyToRegion", r));
    b.put("archiveTimeoutSeconds", backups.archiveTimeout().toSeconds());
    root.put("walSegmentMb", walSegmentMb);
    Path file = home.resolve(FILE);
    try {
      Files.createDirectories(home);
      Path tmp = home.resolve(FILE + ".tmp");
      Files.writeString(
          tmp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Reads {@code file} (a {@code cluster.json}).
   *
   * @throws DbException.BadRequest when it is missing or not a cluster spec
   */
  public static ClusterSpec read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DbException.BadRequest(
          "no database cluster at " + file.getParent() + " (missing " + file.getFileName() + ")");
    }
    try {
      JsonNode r = Json.mapper().readTree(Files.readString(file));
      List<MemberSpec> members = new ArrayList<>();
      for (JsonNode n : r.path("members")) {
        members.add(
            new MemberSpec(
                n.path("name").asText(),
                n.path("region").asText(),
                n.path("zone").asText(),
                n.path("sync").asBoolean(),
                n.path("host").asText(MemberSpec.LOOPBACK),
                n.path("port").asInt(),
                n.path("bootstrap").asBoolean()));
      }
      JsonNode zk = r.path("zookeeper");
      List<ZooKeeperSpec.Node> nodes = new ArrayList<>();
      for (JsonNode n : zk.path("members")) {
        nodes.add(
            new ZooKeeperSpec.Node(
                n.path("id").asInt(),
                n.path("zone").asText(),
                n.path("clientPort").asInt(),
                n.path("quorumPort").asInt(),
                n.path("electionPort").asInt()));
      }
      JsonNode p = r.path("policy");
      JsonNode b = r.path("backups");
      return new ClusterSpec(
          r.path("name").asText(),
          Path.of(r.path("home").asText()),
          members,
          new ZooKeeperSpec(
              zk.hasNonNull("external")
                  ? Optional.of(zk.get("external").asText())
                  : Optional.empty(),
              nodes),
          new FailoverPolicy(
              p.path("strictSync").asBoolean(),
              p.path("allowAsync").asBoolean(),
              p.path("maxLagBytes").asLong(1 << 20)),
          Duration.ofMillis(r.path("sessionTimeoutMs").asLong()),
          Duration.ofMillis(r.path("loopIntervalMs").asLong()),
          new BackupPolicy(
              LocalTime.parse(b.path("windowStart").asText("03:00")),
              LocalTime.parse(b.path("windowEnd").asText("04:00")),
              Duration.ofSeconds(b.path("retentionSeconds").asLong(7 * 86400)),
              b.hasNonNull("copyToRegion")
                  ? Optional.of(b.get("copyToRegion").asText())
                  : Optional.empty(),
              Duration.ofSeconds(b.path("archiveTimeoutSeconds").asLong(60))),
          r.path("walSegmentMb").asInt(16));
    } catch (IOException e) {
      throw new DbException.BadRequest("cannot read " + file + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new DbException.BadRequest("invalid cluster spec " + file + ": " + e.getMessage());
    }
  }
}
