package io.bulwark.dr;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.topology.TopologyFile;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyClustersTest {

  @TempDir Path home;

  private static final String TOPOLOGY =
      """
      name: shop
      profile: local
      regions:
        - name: local
          role: primary
          zones: [a, b, c]
      services:
        - name: web
          instances: {min: 1, max: 2, desired: 1}
      database:
        name: shopdb
        primary: {region: local, zone: a}
        replicas:
          - {name: replica-b, region: local, zone: b, mode: sync}
          - {name: replica-c, region: local, zone: c, mode: async}
      """;

  @Test
  void takesTheFailoverPolicyFromTheTopology() {
    String yaml = TOPOLOGY + "  failover: {allow-async: true, max-lag: 64KB}\n";
    ClusterSpec spec =
        TopologyClusters.of(TopologyFile.parse("bulwark.yaml", yaml), home, Optional.empty());
    assertThat(spec.policy()).isEqualTo(new FailoverPolicy(false, true, 64 << 10));
    assertThat(spec.members())
        .extracting(MemberSpec::name, MemberSpec::sync)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("primary", true),
            org.assertj.core.groups.Tuple.tuple("replica-b", true),
            org.assertj.core.groups.Tuple.tuple("replica-c", false));
  }

  @Test
  void defaultsToPatronisPolicyWithoutAFailoverSection() {
    ClusterSpec spec =
        TopologyClusters.of(TopologyFile.parse("bulwark.yaml", TOPOLOGY), home, Optional.empty());
    assertThat(spec.policy()).isEqualTo(FailoverPolicy.defaults());
  }
}
