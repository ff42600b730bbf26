package io.bulwark.fleet.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.fleet.GroupConfig;
import io.bulwark.fleet.Zone;
import io.bulwark.topology.TopologyFile;
import io.bulwark.traffic.GatewayConfig;
import io.bulwark.traffic.PoolConfig;
import io.bulwark.traffic.RoutingRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StackPlanTest {
  static Path example(String name) {
    Path p = Path.of("../examples", name);
    return p.toFile().exists() ? p : Path.of("examples", name);
  }

  @Test
  void mapsTheMultiCloudPoolsRulesAndFederatedPlacement() {
    StackPlan plan =
        StackPlan.of(
            TopologyFile.load(example("multi-cloud.yaml")), 0, GatewayConfig.ADMIN_DISABLED);
    GatewayConfig g = plan.gateway();
    assertThat(g.pools()).extracting(PoolConfig::name).containsExactly("aws", "azure", "gcp");
    assertThat(g.pools()).extracting(PoolConfig::weight).containsExactly(50, 30, 20);
    assertThat(g.rules())
        .contains(
            new RoutingRule.Header("x-preferred-cloud", "aws", "aws"),
            new RoutingRule.Header("x-preferred-cloud", "azure", "azure"))
        .contains(RoutingRule.Geo.byRegion(Map.of("ENAM", "aws", "WNAM", "gcp", "EEU", "azure")));
    assertThat(g.fallbackPool()).contains("aws");
    assertThat(g.affinity())
        .hasValueSatisfying(a -> assertThat(a.ttl()).isEqualTo(Duration.ofSeconds(3600)));

    assertThat(plan.groups())
        .singleElement()
        .satisfies(
            group -> {
              GroupConfig c = group.config();
              assertThat(c.name()).isEqualTo("app");
              assertThat(c.desired()).isEqualTo(6);
              assertThat(c.perRegion())
                  .isEqualTo(Map.of("aws-us-east-1", 3, "azure-eastus", 2, "gcp-us-east1", 1));
              assertThat(c.zones())
                  .contains(
                      Zone.of("aws-us-east-1", "us-east-1a"),
                      Zone.of("gcp-us-east1", "us-east1-c"));
              assertThat(group.poolByRegion())
                  .containsEntry("aws-us-east-1", "aws")
                  .containsEntry("azure-eastus", "azure")
                  .containsEntry("gcp-us-east1", "gcp");
            });
  }

  @Test
  void takesTheCloudProfilesRolloutAndHealthCheckFromTheFile() {
    StackPlan plan = StackPlan.of(TopologyFile.load(example("multi-az.yaml")), 8080, 0);
    GroupConfig web = plan.groups().get(0).config();
    assertThat(web.gracePeriod()).isEqualTo(Duration.ofSeconds(300));
    assertThat(web.warmUp()).isEqualTo(Duration.ofSeconds(300));
    assertThat(web.deregistrationDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(web.minHealthyPercent()).isEqualTo(50);
    assertThat(web.zones()).hasSize(3);
    PoolConfig main = plan.gateway().pool("main").orElseThrow();
    assertThat(main.healthCheck().orElseThrow().interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(main.deregistrationDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(plan.gateway().port()).isEqualTo(8080);
    assertThat(plan.groups())
        .extracting(g -> g.config().name())
        .containsExactly("web", "api", "cache");
    assertThat(plan.groups().get(1).poolByRegion()).as("api has no traffic pool").isEmpty();
  }

  @Test
  void readsStatusMatchersLikeLoadBalancersWriteThem() {
    assertThat(StackPlan.statuses("200")).containsExactly(200);
    assertThat(StackPlan.statuses("200,204")).containsExactlyInAnyOrder(200, 204);
    assertThat(StackPlan.statuses("200-202")).containsExactlyInAnyOrder(200, 201, 202);
    assertThat(StackPlan.statuses("2xx")).hasSize(100).contains(200, 299);
    assertThat(StackPlan.statuses("nonsense")).isEqualTo(Set.of(200));
  }

  @Test
  void refusesATopologyWithNothingToRun() {
    String yaml =
        """
        name: only-external
        regions:
          - {name: r1, role: primary, zones: [a]}
        services:
          - {name: payments, kind: external}
        """;
    assertThatThrownBy(
            () -> StackPlan.of(TopologyFile.parse("x.yaml", yaml), 0, GatewayConfig.ADMIN_DISABLED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topology only-external has no service Bulwark runs (all are external)");
  }
}
