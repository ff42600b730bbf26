package io.bulwark.dr;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.dr.cluster.ServerState;
import io.bulwark.dr.election.ClusterStore;
import io.bulwark.dr.election.MemberState;
import io.bulwark.kernel.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The cluster as {@code bulwark db status} shows it.
 *
 * @param leader the member holding the lease and taking writes, if any
 * @param members every member of the spec, in spec order
 */
public record ClusterStatus(Optional<String> leader, List<Member> members) {

  public ClusterStatus {
    Objects.requireNonNull(leader, "leader");
    members = List.copyOf(members);
  }

  /**
   * One member.
   *
   * @param name its name
   * @param role {@code primary} (the leader) or {@code standby}
   * @param agentState what its agent is doing ({@code primary}, {@code standby}, {@code rejoining},
   *     {@code fenced}, ...; {@code down} when no agent published lately)
   * @param zone its zone
   * @param region its region
   * @param pid the postmaster's pid, when running
   * @param host the address it is reached at
   * @param port its port
   * @param timeline its timeline, when running
   * @param lagBytes WAL not yet replayed compared with the primary (0 on the primary)
   * @param lagSeconds commit time of the primary's last commit minus that of the last one this
   *     member replayed: how much history it would lose if promoted now (0 on the primary)
   * @param sync whether it is a synchronous standby an automatic failover may promote: commits wait
   *     for it (in {@code synchronous_standby_names} and streaming) and the cluster has recorded it
   *     as holding every acknowledged commit (the store's {@code sync} set). A newcomer is in the
   *     first before the second, until it has caught up: a primary lost meanwhile is not replaced
   *     by it
   * @param streaming whether a standby streams from the primary
   * @param lastCommitAtMs last commit (primary) or last replayed commit (standby), epoch ms
   */
  public record Member(
      String name,
      String role,
      String agentState,
      String zone,
      String region,
      OptionalLong pid,
      String host,
      int port,
      OptionalInt timeline,
      OptionalLong lagBytes,
      OptionalDouble lagSeconds,
      boolean sync,
      boolean streaming,
      OptionalLong lastCommitAtMs) {}

  /** The member called {@code name}. */
  public Optional<Member> member(String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  /**
   * Builds the status from what the agents published; {@code eligible} is the store's {@code sync}
   * set (the standbys automatic failover may promote).
   */
  static ClusterStatus of(
      ClusterSpec spec,
      Optional<ClusterStore.Leader> lease,
      Map<String, MemberState> states,
      List<String> eligible,
      long nowMs) {
    Optional<String> leader =
        lease.filter(ClusterStore.Leader::ready).map(ClusterStore.Leader::member);
    MemberState primary = leader.map(states::get).orElse(null);
    List<Member> members = new ArrayList<>();
    for (MemberSpec m : spec.members()) {
      MemberState s = states.get(m.name());
      boolean fresh = s != null && nowMs - s.updatedAtMs() <= spec.sessionTimeout().toMillis() * 2;
      boolean isPrimary = leader.map(m.name()::equals).orElse(false);
      boolean running = fresh && s.pid() > 0;
      Optional<ServerState.Standby> row =
          primary == null
              ? Optional.empty()
              : primary.replication().stream().filter(r -> r.name().equals(m.name())).findFirst();
      OptionalLong lagBytes = OptionalLong.empty();
      OptionalDouble lagSeconds = OptionalDouble.empty();
      if (isPrimary && running) {
        lagBytes = OptionalLong.of(0);
        lagSeconds = OptionalDouble.of(0);
      } else if (running && primary != null && primary.pid() > 0) {
        long replayed = row.map(ServerState.Standby::replayLsn).orElse(s.replayLsn());
        long bytes = Math.max(0, primary.lsn() - replayed);
        lagBytes = OptionalLong.of(bytes);
        if (primary.lastCommitAtMs() > 0 && s.lastCommitAtMs() > 0) {
          lagSeconds =
              OptionalDouble.of(
                  Math.max(0, primary.lastCommitAtMs() - s.lastCommitAtMs()) / 1000.0);
        } else if (bytes == 0) {
          lagSeconds = OptionalDouble.of(0);
        }
      }
      boolean sync =
          eligible.contains(m.name())
              && row.map(r -> r.syncState().equals("sync") || r.syncState().equals("quorum"))
                  .orElse(false);
      members.add(
          new Member(
              m.name(),
              isPrimary ? "primary" : "standby",
              fresh ? s.role() : "down",
              m.zone(),
              m.region(),
              running ? OptionalLong.of(s.pid()) : OptionalLong.empty(),
              m.host(),
              m.port(),
              running && s.timeline() > 0 ? OptionalInt.of(s.timeline()) : OptionalInt.empty(),
              lagBytes,
              lagSeconds,
              sync,
              fresh && s.streaming(),
              running && s.lastCommitAtMs() > 0
                  ? OptionalLong.of(s.lastCommitAtMs())
                  : OptionalLong.empty()));
    }
    return new ClusterStatus(leader, members);
  }

  /**
   * The contract of {@code bulwark db status --json}: {@code
   * {"leader":NAME|null,"members":[{"name",
   * "role","zone","region","pid","host","port","timeline","lagBytes","lagSeconds","sync"}…]}}, with
   * null for what is unknown (a member that is down).
   */
  public String toJson() {
    ObjectNode root = Json.object();
    if (leader.isPresent()) {
      root.put("leader", leader.get());
    } else {
      root.putNull("leader");
    }
    ArrayNode ms = root.putArray("members");
    for (Member m : members) {
      ObjectNode n = ms.addObject();
      n.put("name", m.name());
      n.put("role", m.role());
      n.put("zone", m.zone());
      n.put("region", m.region());
      if (m.pid().isPresent()) {
        n.put("pid", m.pid().getAsLong());
      } else {
        n.putNull("pid");
      }
      n.put("host", m.host());
      n.put("port", m.port());
      if (m.timeline().isPresent()) {
        n.put("timeline", m.timeline().getAsInt());
      } else {
        n.putNull("timeline");
      }
      if (m.lagBytes().isPresent()) {
        n.put("lagBytes", m.lagBytes().getAsLong());
      } else {
        n.putNull("lagBytes");
      }
      if (m.lagSeconds().isPresent()) {
        n.put("lagSeconds", m.lagSeconds().getAsDouble());
      } else {
        n.putNull("lagSeconds");
      }
      n.put("sync", m.sync());
    }
    return Json.write(root);
  }
}
