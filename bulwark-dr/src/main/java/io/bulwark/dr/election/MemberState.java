package io.bulwark.dr.election;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.dr.cluster.ServerState;
import io.bulwark.kernel.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What a member's agent publishes about itself in the coordination store on every loop (an
 * ephemeral node: it vanishes with the agent's session).
 *
 * @param name member name
 * @param role {@code primary}, {@code standby}, {@code starting}, {@code cloning}, {@code fenced}
 *     or {@code stopped}
 * @param pid the postmaster's pid, 0 when not running
 * @param agentPid the agent's pid
 * @param timeline the server's timeline (0 when unknown)
 * @param lsn current (primary) or received (standby) WAL position
 * @param replayLsn replayed WAL position
 * @param lastCommitAtMs last commit (primary) or last replayed commit (standby), epoch ms; 0
 *     unknown
 * @param streaming whether a standby streams from its primary
 * @param leaderless whether the agent has seen that no member holds the leader lease
 * @param updatedAtMs when this was published, epoch ms (agent's clock)
 * @param replication on a primary, its standbys as it sees them
 */
public record MemberState(
    String name,
    String role,
    long pid,
    long agentPid,
    int timeline,
    long lsn,
    long replayLsn,
    long lastCommitAtMs,
    boolean streaming,
    boolean leaderless,
    long updatedAtMs,
    List<ServerState.Standby> replication) {

  public MemberState {
    replication = List.copyOf(replication);
  }

  /** Whether the server runs as a standby that can be promoted. */
  public boolean standby() {
    return role.equals("standby") && pid > 0;
  }

  /** The state of a member whose server runs, as {@code server} reports it. */
  static MemberState of(
      String name, String role, long pid, ServerState server, boolean leaderless, long now) {
    OptionalLong commit = server.lastCommitAtMs();
    return new MemberState(
        name,
        role,
        pid,
        ProcessHandle.current().pid(),
        server.timeline(),
        server.lsn(),
        server.replayLsn(),
        commit.orElse(0),
        server.streaming(),
        leaderless,
        now,
        server.replication());
  }

  /** The state of a member whose server does not run (or cannot be read). */
  static MemberState down(String name, String role, boolean leaderless, long now) {
    return new MemberState(
        name,
        role,
        0,
        ProcessHandle.current().pid(),
        0,
        0,
        0,
        0,
        false,
        leaderless,
        now,
        List.of());
  }

  byte[] toBytes() {
    ObjectNode n = Json.object();
    n.put("name", name);
    n.put("role", role);
    n.put("pid", pid);
    n.put("agentPid", agentPid);
    n.put("timeline", timeline);
    n.put("lsn", lsn);
    n.put("replayLsn", replayLsn);
    n.put("lastCommitAtMs", lastCommitAtMs);
    n.put("streaming", streaming);
    n.put("leaderless", leaderless);
    n.put("updatedAtMs", updatedAtMs);
    ArrayNode r = n.putArray("replication");
    for (ServerState.Standby s : replication) {
      ObjectNode o = r.addObject();
      o.put("name", s.name());
      o.put("state", s.state());
      o.put("syncState", s.syncState());
      o.put("flushLsn", s.flushLsn());
      o.put("replayLsn", s.replayLsn());
      o.put("replayLagMs", s.replayLagMs());
    }
    return Json.write(n).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static MemberState fromBytes(byte[] bytes) {
    JsonNode n = Json.parse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    List<ServerState.Standby> replication = new ArrayList<>();
    for (JsonNode o : n.path("replication")) {
      replication.add(
          new ServerState.Standby(
              o.path("name").asText(),
              o.path("state").asText(),
              o.path("syncState").asText(),
              o.path("flushLsn").asLong(),
              o.path("replayLsn").asLong(),
              o.path("replayLagMs").asLong()));
    }
    return new MemberState(
        n.path("name").asText(),
        n.path("role").asText(),
        n.path("pid").asLong(),
        n.path("agentPid").asLong(),
        n.path("timeline").asInt(),
        n.path("lsn").asLong(),
        n.path("replayLsn").asLong(),
        n.path("lastCommitAtMs").asLong(),
        n.path("streaming").asBoolean(),
        n.path("leaderless").asBoolean(),
        n.path("updatedAtMs").asLong(),
        replication);
  }
}
