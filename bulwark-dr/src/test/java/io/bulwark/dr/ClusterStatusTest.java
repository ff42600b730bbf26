package io.bulwark.dr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.dr.cluster.ServerState;
import io.bulwark.dr.election.ClusterStore;
import io.bulwark.dr.election.MemberState;
import io.bulwark.kernel.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterStatusTest {

  @TempDir Path home;

  /** pg-a as the primary on timeline 1 at WAL 5,000, last commit 100 ms before {@code now}. */
  static MemberState primaryA(long now, ServerState.Standby standby) {
    return new MemberState(
        "pg-a", "primary", 11, 1, 2, 5_000, 5_000, now - 100, false, false, now, List.of(standby));
  }

  @Test
  void printsExactlyTheContractFieldsWithLagFromThePrimarysView() {
    ClusterSpec spec =
        TestClusters.spec(
            home, FailoverPolicy.defaults(), "pg-b:zone-b:local:sync", "pg-c:zone-c:local:async");
    long now = 1_000_000;
    MemberState a =
        primaryA(now, new ServerState.Standby("pg-b", "streaming", "quorum", 5_000, 4_000, 3));
    MemberState b =
        new MemberState(
            "pg-b", "standby", 12, 2, 2, 5_000, 4_000, now - 2_600, true, false, now, List.of());
    ClusterStatus s =
        ClusterStatus.of(
            spec,
            Optional.of(new ClusterStore.Leader("pg-a", 2, true, 100, 7)),
            Map.of("pg-a", a, "pg-b", b),
            List.of("pg-b"),
            now);

    JsonNode json = Json.parse(s.toJson());
    assertThat(json.get("leader").asText()).isEqualTo("pg-a");
    assertThat(json.get("members")).hasSize(3);
    for (JsonNode m : json.get("members")) {
      assertThat(m.properties().stream().map(Map.Entry::getKey).toList())
          .containsExactly(
              "name",
              "role",
              "zone",
              "region",
              "pid",
              "host",
              "port",
              "timeline",
              "lagBytes",
              "lagSeconds",
              "sync");
    }
    JsonNode pa = json.get("members").get(0);
    assertThat(pa.get("role").asText()).isEqualTo("primary");
    assertThat(pa.get("host").asText()).isEqualTo("127.0.0.1");
    assertThat(pa.get("lagBytes").asLong()).isZero();
    JsonNode pb = json.get("members").get(1);
    assertThat(pb.get("role").asText()).isEqualTo("standby");
    assertThat(pb.get("pid").asLong()).isEqualTo(12);
    assertThat(pb.get("timeline").asInt()).isEqualTo(2);
    assertThat(pb.get("lagBytes").asLong()).isEqualTo(1_000);
    assertThat(pb.get("lagSeconds").asDouble()).isEqualTo(2.5);
    assertThat(pb.get("sync").asBoolean()).isTrue();
    JsonNode pc = json.get("members").get(2); // published nothing: down
    assertThat(pc.get("role").asText()).isEqualTo("standby");
    assertThat(pc.get("pid").isNull()).isTrue();
    assertThat(pc.get("lagBytes").isNull()).isTrue();
    assertThat(pc.get("sync").asBoolean()).isFalse();
    assertThat(s.member("pg-c").orElseThrow().agentState()).isEqualTo("down");
  }

  @Test
  void noLeaderDuringAnElection() {
    ClusterSpec spec = TestClusters.spec(home, FailoverPolicy.defaults(), "pg-b:zone-b:local:sync");
    ClusterStatus s =
        ClusterStatus.of(
            spec,
            Optional.of(new ClusterStore.Leader("pg-b", 3, false, 0, 9)),
            Map.of(),
            List.of(),
            0);
    assertThat(Json.parse(s.toJson()).get("leader").isNull()).isTrue();
  }

  /**
   * A standby the primary just put in {@code synchronous_standby_names} is not yet one a failover
   * may promote (the primary records it in the store once it has caught up): until then it is not
   * {@code sync}, so that nobody kills the primary expecting it to take over. FailoverTest did, and
   * the old primary resumed instead.
   */
  @Test
  void aStandbyCommitsWaitForIsNotSyncUntilTheClusterRecordsItAsEligible() {
    ClusterSpec spec = TestClusters.spec(home, FailoverPolicy.defaults(), "pg-b:zone-b:local:sync");
    long now = 1_000_000;
    MemberState a =
        primaryA(now, new ServerState.Standby("pg-b", "streaming", "quorum", 5_000, 5_000, 0));
    MemberState b =
        new MemberState(
            "pg-b", "standby", 12, 1, 2, 5_000, 5_000, now - 100, true, false, now, List.of());
    Optional<ClusterStore.Leader> lease =
        Optional.of(new ClusterStore.Leader("pg-a", 1, true, 0, 7));

    ClusterStatus joining =
        ClusterStatus.of(spec, lease, Map.of("pg-a", a, "pg-b", b), List.of(), now);
    ClusterStatus eligible =
        ClusterStatus.of(spec, lease, Map.of("pg-a", a, "pg-b", b), List.of("pg-b"), now);

    assertThat(joining.member("pg-b").orElseThrow().sync()).isFalse();
    assertThat(Json.parse(joining.toJson()).get("members").get(1).get("sync").asBoolean())
        .isFalse();
    assertThat(eligible.member("pg-b").orElseThrow().sync()).isTrue();
  }
}
