package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

  private static PoolConfig pool(String name, String... targets) {
    PoolConfig.Builder b = PoolConfig.builder(name);
    int port = 9000;
    for (String id : targets) {
      b.target(TargetConfig.of(id, "127.0.0.1", port++));
    }
    return b.build();
  }

  @Test
  void defaultsFollowTheCloudLoadBalancer() {
    HealthCheck check = HealthCheck.defaults();
    assertThat(check.path()).isEqualTo("/health");
    assertThat(check.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(check.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(check.healthyThreshold()).isEqualTo(2);
    assertThat(check.unhealthyThreshold()).isEqualTo(2);
    assertThat(check.expectedStatuses()).containsExactly(200);
    assertThat(PoolConfig.builder("web").build().deregistrationDelay())
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(SessionAffinity.defaults().ttl()).isEqualTo(Duration.ofSeconds(86400));
  }

  @Test
  void rejectsARuleNamingAnUnknownPool() {
    assertThatThrownBy(
            () ->
                GatewayConfig.builder()
                    .pool(pool("aws", "a1"))
                    .rule(new RoutingRule.Header("x-preferred-cloud", "gcp", "gcp"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rules[0]: unknown pool \"gcp\"; pools are [aws]");
  }

  @Test
  void rejectsDuplicatePoolsAndTargetIds() {
    assertThatThrownBy(() -> GatewayConfig.builder().pool(pool("aws")).pool(pool("aws")).build())
        .hasMessage("pools[1].name: pool \"aws\" is defined twice");
    assertThatThrownBy(
            () -> GatewayConfig.builder().pool(pool("aws", "x")).pool(pool("gcp", "x")).build())
        .hasMessage("pools[1]: target id \"x\" is already used in pool \"aws\"");
  }

  @Test
  void rejectsAnUnknownFallbackPool() {
    assertThatThrownBy(() -> GatewayConfig.builder().pool(pool("aws")).fallbackPool("dr").build())
        .hasMessage("fallbackPool: unknown pool \"dr\"; pools are [aws]");
  }

  @Test
  void checksEachValueWhereItIsSet() {
    assertThatThrownBy(() -> PoolConfig.builder("aws").weight(-5))
        .hasMessage("pool aws: weight must be between 0 and 1000 but was -5");
    assertThatThrownBy(() -> HealthCheck.builder().interval(Duration.ZERO))
        .hasMessage("healthCheck.interval must be > 0 but was PT0S");
    assertThatThrownBy(
            () ->
                HealthCheck.builder()
                    .interval(Duration.ofSeconds(1))
                    .timeout(Duration.ofSeconds(2))
                    .build())
        .hasMessage("healthCheck.timeout must be <= healthCheck.interval (PT1S) but was PT2S");
    assertThatThrownBy(() -> TargetConfig.of("a b", "h", 1))
        .hasMessageContaining("target id must be");
    assertThatThrownBy(() -> TargetConfig.of("a", "h", 70000))
        .hasMessage("target a: port must be between 1 and 65535 but was 70000");
    assertThatThrownBy(() -> new RoutingRule.Cidr("10.0.0.0/33", "aws"))
        .hasMessage("cidr rule: prefix length must be between 0 and 32 but was 33");
    assertThatThrownBy(() -> new RoutingRule.Cidr("example.com/8", "aws"))
        .hasMessageContaining("expected an address block like 10.0.0.0/8");
    assertThatThrownBy(() -> RoutingRule.Geo.byRegion(Map.of()))
        .hasMessage("geo rule regionPools must not be empty");
  }

  @Test
  void reportsRuntimeChangesInTheCurrentConfig() {
    GatewayConfig config = GatewayConfig.builder().pool(pool("aws", "a1")).build();
    try (Gateway gateway = Gateway.start(config)) {
      gateway.setWeight("aws", 7);
      gateway.addTarget("aws", TargetConfig.of("a2", "127.0.0.1", 9999));

      GatewayConfig now = gateway.config();

      assertThat(now.pool("aws").orElseThrow().weight()).isEqualTo(7);
      assertThat(now.pool("aws").orElseThrow().targets())
          .extracting(TargetConfig::id)
          .containsExactly("a1", "a2");
      assertThatThrownBy(() -> gateway.setWeight("nope", 1))
          .isInstanceOf(UnknownPoolException.class);
      assertThatThrownBy(() -> gateway.addTarget("aws", TargetConfig.of("a1", "h", 1)))
          .isInstanceOf(TargetConflictException.class);
    }
  }
}
