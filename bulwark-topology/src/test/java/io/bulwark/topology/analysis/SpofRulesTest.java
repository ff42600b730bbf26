package io.bulwark.topology.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyFile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SPOF rules the example files do not reach, and the default zone placement. */
class SpofRulesTest {

  private static Topology parse(String regionExtra, String databaseZoneOfReplica) {
    String yaml =
        """
        name: rules
        regions:
          - name: a
            role: primary
            zones: [a1, a2, a3, a4]
        %s
        services:
          - name: web
            instances: {min: 4, max: 8, desired: 4}
        database:
          name: db
          primary: {region: a, zone: a1}
          replicas: [{name: r1, region: a, zone: %s}]
          backups: {}
        """
            .formatted(regionExtra, databaseZoneOfReplica);
    return TopologyFile.parse("rules.yaml", yaml);
  }

  private static Spof spof(Topology t, Layer layer, String kind) {
    return TopologyAnalysis.of(t).spofs(layer).stream()
        .filter(s -> s.kind().equals(kind))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " SPOF in " + kinds(t)));
  }

  private static List<String> kinds(Topology t) {
    return TopologyAnalysis.of(t).spofs().stream().map(Spof::kind).toList();
  }

  @Test
  void oneVpnTunnelWithoutADedicatedLinkIsASpof() {
    Topology t = parse("    network: {vpn-tunnels: 1}", "a2");
    Spof vpn = spof(t, Layer.NETWORK, "single VPN connection");
    assertThat(vpn.component()).isEqualTo("region a");
    assertThat(vpn.detail()).isEqualTo("on-premises is reachable through one VPN tunnel");
    assertThat(kinds(parse("    network: {vpn-tunnels: 2}", "a2")))
        .doesNotContain("single VPN connection");
    assertThat(kinds(parse("    network: {vpn-tunnels: 1, dedicated-link: true}", "a2")))
        .doesNotContain("single VPN connection");
  }

  @Test
  void aDedicatedLinkWithoutAVpnBackupIsASpof() {
    Topology t = parse("    network: {dedicated-link: true}", "a2");
    Spof link = spof(t, Layer.NETWORK, "single VPN connection");
    assertThat(link.detail()).contains("one dedicated link with no backup");
    assertThat(link.countermeasure()).startsWith("Direct Connect with VPN backup");
  }

  @Test
  void aReplicaInThePrimarysZoneIsSingleZoneStorage() {
    Spof storage = spof(parse("", "a1"), Layer.DATA, "single-AZ storage");
    assertThat(storage.component()).isEqualTo("database db");
    assertThat(storage.detail()).isEqualTo("the primary and every replica are in zone a1");
    assertThat(kinds(parse("", "a2"))).doesNotContain("single-AZ storage");
  }

  @Test
  void withoutNamedZonesAServiceSpreadsOverAtMostThreeZones() {
    Topology t = parse("", "a2");
    Map<String, Integer> byZone = t.layout(t.service("web").orElseThrow()).get("a");
    assertThat(byZone).containsOnlyKeys("a1", "a2", "a3");
    assertThat(byZone.values()).containsExactly(2, 1, 1);
  }

  @Test
  void aServiceInARegionWithOneZoneGetsTheSingleZoneWarning() {
    String yaml =
        """
        name: one-zone
        regions:
          - {name: a, role: primary, zones: [a1]}
        services:
          - name: web
            instances: {min: 2, max: 4, desired: 2}
        """;
    Topology t = TopologyFile.parse("one-zone.yaml", yaml);
    assertThat(t.layout(t.service("web").orElseThrow()).get("a"))
        .containsExactly(Map.entry("a1", 2));
    Spof zone = spof(t, Layer.COMPUTE, "single-AZ placement");
    assertThat(zone.component()).isEqualTo("service web");
    assertThat(zone.detail()).isEqualTo("every serving instance is in zone a1");
  }
}
