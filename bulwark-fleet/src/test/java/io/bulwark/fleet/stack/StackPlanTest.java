package io.bulwark.fleet.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.fleet.GroupConfig;
import io.bulwark.fleet.Zone;
import io.bulwark.topology.TopologyFile;
import io.bulwark.traffic.BotProtection;
import io.bulwark.traffic.EdgeCache;
import io.bulwark.traffic.GatewayConfig;
import io.bulwark.traffic.HealthCheck;
import io.bulwark.traffic.PoolConfig;
import io.bulwark.traffic.RouteConfig;
import io.bulwark.traffic.RoutingRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    // multi-az.yaml has a monitor (retries 3): it drives the pool's check.
    assertThat(main.healthCheck().orElseThrow().unhealthyThreshold()).isEqualTo(3);
    assertThat(main.deregistrationDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(plan.gateway().port()).isEqualTo(8080);
    assertThat(plan.groups())
        .extracting(g -> g.config().name())
        .containsExactly("web", "api", "cache");
    assertThat(plan.groups().get(1).poolByRegion()).as("api has no traffic pool").isEmpty();
    assertThat(plan.groups().get(0).livenessPath()).as("no liveness-path: path decides").isEmpty();
  }

  @Test
  void separatesTheLivenessCheckThatReplacesFromTheReadinessCheckThatRoutes() {
    StackPlan plan = StackPlan.of(TopologyFile.load(example("edge.yaml")), 8080, 0);
    StackPlan.GroupPlan shop = plan.groups().get(0);
    assertThat(shop.healthPath()).isEqualTo("/health/ready");
    assertThat(shop.livenessPath()).hasValue("/health/live");
    assertThat(plan.gateway().pool("main").orElseThrow().healthCheck().orElseThrow().path())
        .as("the gateway routes on readiness")
        .isEqualTo("/health/ready");
  }

  @Test
  void readsStatusMatchersLikeLoadBalancersWriteThem() {
    assertThat(StackPlan.statuses("200")).containsExactly(200);
    assertThat(StackPlan.statuses("200,204")).containsExactlyInAnyOrder(200, 204);
    assertThat(StackPlan.statuses("200-202")).containsExactlyInAnyOrder(200, 201, 202);
    assertThat(StackPlan.statuses("2xx")).hasSize(100).contains(200, 299);
    assertThat(StackPlan.statuses("20x")).hasSize(10).contains(200, 209).doesNotContain(210);
    assertThat(StackPlan.statuses("nonsense")).isEqualTo(Set.of(200));
  }

  private static final String GATEWAY_KEYS =
      """
      name: shop
      profile: local
      regions:
        - {name: us, role: primary, zones: [a]}
        - {name: eu, role: active, zones: [b]}
      services:
        - name: web
          instances: {min: 2, max: 4, desired: 2}
          health-check: {path: /health/ready, healthy-threshold: 3}
      traffic:
        pools:
          - {name: us, region: us, service: web, weight: 50}
          - {name: eu, region: eu, service: web, weight: 50}
        monitor:
          path: /health
          interval: 2s
          timeout: 1s
          retries: 4
          expected-codes: 2xx
          check-regions: [us, eu]
        routes:
          - {path-contains: /health, affinity: none, ttl: 30s}
          - {path-prefix: /api/v1/products, cache: true, retries: 0}
        cache: {max-size: 8MB, prewarm: [/api/v1/products]}
        protection:
          rules:
            - {name: no-agent, action: deny, user-agent: "^$"}
          rate-limits:
            - {name: per-key, key: "header:x-api-key", rate: 600/m, burst: 20, path: /api}
      """;

  @Test
  void letsTheMonitorDriveThePoolChecksWithItsExpectedCodesAndCheckRegions() {
    StackPlan plan =
        StackPlan.of(
            TopologyFile.parse("shop.yaml", GATEWAY_KEYS), 0, GatewayConfig.ADMIN_DISABLED);

    HealthCheck check = plan.gateway().pool("us").orElseThrow().healthCheck().orElseThrow();
    assertThat(check.path()).isEqualTo("/health");
    assertThat(check.interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(check.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(check.unhealthyThreshold()).isEqualTo(4);
    assertThat(check.healthyThreshold()).as("from the service's own check").isEqualTo(3);
    assertThat(check.expectedStatuses()).hasSize(100).contains(200, 204, 299);
    assertThat(check.checkRegions()).containsExactlyInAnyOrder("us", "eu");
    // The gateway runs in the home region; the other check region gets a probing gateway.
    assertThat(plan.gateway().region()).contains("us");
    assertThat(plan.regionGateways()).containsOnlyKeys("eu");
    GatewayConfig eu = plan.regionGateways().get("eu");
    assertThat(eu.region()).contains("eu");
    assertThat(eu.pools()).extracting(PoolConfig::name).containsExactly("us", "eu");
  }

  @Test
  void withoutAMonitorEachPoolProbesWithItsServicesCheckFromEveryGateway() {
    String yaml =
        GATEWAY_KEYS.substring(0, GATEWAY_KEYS.indexOf("  monitor:"))
            + GATEWAY_KEYS.substring(GATEWAY_KEYS.indexOf("  routes:"));
    StackPlan plan =
        StackPlan.of(TopologyFile.parse("shop.yaml", yaml), 0, GatewayConfig.ADMIN_DISABLED);

    HealthCheck check = plan.gateway().pool("us").orElseThrow().healthCheck().orElseThrow();
    assertThat(check.path()).isEqualTo("/health/ready");
    assertThat(check.checkRegions()).isEmpty();
    assertThat(plan.gateway().region()).isEmpty();
    assertThat(plan.regionGateways()).isEmpty();
  }

  @Test
  void mapsTheRouteTableEdgeCacheAndBotProtection() {
    GatewayConfig g =
        StackPlan.of(TopologyFile.parse("shop.yaml", GATEWAY_KEYS), 0, GatewayConfig.ADMIN_DISABLED)
            .gateway();

    assertThat(g.routes())
        .containsExactly(
            RouteConfig.containing("/health")
                .noAffinity()
                .ttl(Duration.ofSeconds(30))
                .timeout(Duration.ofSeconds(10))
                .build(),
            RouteConfig.prefix("/api/v1/products")
                .cache(true)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(10))
                .build());
    assertThat(g.cache())
        .hasValue(
            EdgeCache.builder().maxBytes(8L << 20).prewarm(List.of("/api/v1/products")).build());
    BotProtection protection = g.protection().orElseThrow();
    assertThat(protection.rules())
        .containsExactly(
            BotProtection.Rule.of(
                "no-agent",
                BotProtection.Action.DENY,
                new BotProtection.Condition.UserAgent("^$")));
    assertThat(protection.rateLimits())
        .containsExactly(
            new BotProtection.RateLimit(
                "per-key",
                BotProtection.ClientKey.header("x-api-key"),
                10,
                20,
                java.util.Optional.of("/api")));
  }

  @Test
  void placesEachGroupInTwoOrThreeZonesPerRegionUnlessItsPlacementNamesThem() {
    String yaml =
        """
        name: zones
        profile: local
        regions:
          - {name: us, role: primary, zones: [a, b, c, d, e]}
          - {name: eu, role: active, zones: [x, y]}
          - {name: ap, role: active, zones: [solo]}
        services:
          - name: web
            instances: {min: 6, max: 12, desired: 6}
          - name: api
            instances: {min: 2, max: 4, desired: 2}
            placement: {regions: [us], zones: [d, e]}
        """;
    StackPlan plan =
        StackPlan.of(TopologyFile.parse("zones.yaml", yaml), 0, GatewayConfig.ADMIN_DISABLED);
    GroupConfig web = plan.groups().get(0).config();
    assertThat(web.zones())
        .containsExactly(
            Zone.of("us", "a"),
            Zone.of("us", "b"),
            Zone.of("us", "c"),
            Zone.of("eu", "x"),
            Zone.of("eu", "y"),
            Zone.of("ap", "solo"));
    GroupConfig api = plan.groups().get(1).config();
    assertThat(api.zones()).containsExactly(Zone.of("us", "d"), Zone.of("us", "e"));
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
