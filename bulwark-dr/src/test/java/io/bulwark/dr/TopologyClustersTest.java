package io.bulwark.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.dr.cluster.ServerConfig;
import io.bulwark.topology.TopologyFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
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
  void addressesEachMemberAtItsHostInConninfoClientUrlsAndTheSpecFile() throws Exception {
    String yaml =
        TOPOLOGY.replace(
            "{name: replica-b, region: local, zone: b, mode: sync}",
            "{name: replica-b, region: local, zone: b, mode: sync, host: 10.20.30.2}");
    ClusterSpec spec =
        TopologyClusters.of(TopologyFile.parse("bulwark.yaml", yaml), home, Optional.empty());
    MemberSpec primary = spec.requireMember("primary");
    MemberSpec b = spec.requireMember("replica-b");
    assertThat(primary.host()).isEqualTo("127.0.0.1");
    assertThat(b.host()).isEqualTo("10.20.30.2");

    assertThat(ServerConfig.conninfo(b, "replica-c"))
        .startsWith("host=10.20.30.2 port=" + b.port() + " ");
    assertThat(ServerConfig.conninfo(primary, "replica-b"))
        .startsWith("host=127.0.0.1 port=" + primary.port() + " ");
    assertThat(spec.jdbcUrl("bulwark"))
        .startsWith(
            "jdbc:postgresql://127.0.0.1:"
                + primary.port()
                + ",10.20.30.2:"
                + b.port()
                + ",127.0.0.1:");
    assertThat(spec.readJdbcUrl("bulwark"))
        .contains(",10.20.30.2:" + b.port() + ",")
        .contains("targetServerType=preferSecondary")
        .contains("loadBalanceHosts=true");

    // every process reads the spec file: the host survives it, and older files mean the loopback
    spec.write();
    assertThat(ClusterSpec.read(home.resolve(ClusterSpec.FILE)).requireMember("replica-b").host())
        .isEqualTo("10.20.30.2");
    Path old = home.resolve("old.json");
    Files.writeString(
        old,
        Files.readString(home.resolve(ClusterSpec.FILE))
            .replaceAll("\"host\"\\s*:\\s*\"[^\"]*\",", ""));
    assertThat(ClusterSpec.read(old).members())
        .extracting(MemberSpec::host)
        .containsOnly("127.0.0.1");
  }

  @Test
  void refusesAMemberHostThatIsNoAddress() {
    assertThatThrownBy(() -> new MemberSpec("pg-b", "local", "b", true, "db b", 5432, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "member pg-b: host must be an IPv4 address or a host name (e.g. 10.0.0.5,"
                + " db-2.example.com) but was \"db b\"");
  }

  @Test
  void refusesToStartAMemberOnAnAddressThisMachineDoesNotHave() {
    String yaml =
        TOPOLOGY.replace(
            "{name: replica-c, region: local, zone: c, mode: async}",
            "{name: replica-c, region: local, zone: c, mode: async, host: 192.0.2.7}");
    DatabaseCluster cluster =
        DatabaseCluster.create(
            TopologyClusters.of(TopologyFile.parse("bulwark.yaml", yaml), home, Optional.empty()));
    StringWriter progress = new StringWriter();
    assertThatThrownBy(() -> cluster.start(new PrintWriter(progress)))
        .isInstanceOf(DbException.BadRequest.class)
        .hasMessageContaining(
            "member replica-c: host 192.0.2.7 is not an address of this machine, and every"
                + " member's server runs here");
    assertThat(progress.toString()).as("nothing was started").isEmpty();
  }

  @Test
  void defaultsToPatronisPolicyWithoutAFailoverSection() {
    ClusterSpec spec =
        TopologyClusters.of(TopologyFile.parse("bulwark.yaml", TOPOLOGY), home, Optional.empty());
    assertThat(spec.policy()).isEqualTo(FailoverPolicy.defaults());
  }
}
