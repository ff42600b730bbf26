package io.bulwark.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The traffic section's gateway keys: the monitor's check regions, the route table, the edge cache
 * and bot protection, read into the model and checked with the exact messages a user sees.
 */
class TrafficGatewayKeysTest {

  private static final String BASE =
      """
      name: shop
      regions:
        - name: us-east-1
          role: primary
          zones: [a1, a2]
        - name: eu-west-1
          role: active
          zones: [b1]
      services:
        - name: web
          instances: {min: 3, max: 6, desired: 3}
      traffic:
        pools:
          - {name: us, region: us-east-1, service: web, weight: 70}
          - {name: eu, region: eu-west-1, service: web, weight: 30}
      """;

  private static final String FULL =
      BASE
          + """
              monitor:
                path: /health/ready
                interval: 10s
                timeout: 2s
                retries: 2
                expected-codes: 2xx
                check-regions: [us-east-1]
              routes:
                - {path-contains: /health, affinity: none, ttl: 30s}
                - {path-prefix: /api/v1/products, cache: true, timeout: 5s, retries: 1}
                - {path-prefix: /static, pool: us}
              cache:
                max-size: 32MB
                max-entry-size: 512KB
                prewarm: [/api/v1/products, "/api/v1/products?category=books"]
              protection:
                rules:
                  - {name: partners, action: allow, header: {name: x-partner, pattern: "^acme$"}}
                  - {name: no-agent, action: deny, user-agent: "^$"}
                  - {name: scripts, action: challenge, user-agent: "(?i)curl|python", path: /api}
                  - {name: bad-net, action: deny, client: 198.51.100.0/24}
                rate-limits:
                  - {name: per-client, rate: 20/s, burst: 40}
                  - {name: orders, key: "header:x-api-key", rate: 120/m, path: /api/v1/orders}
                challenge-difficulty: 12
                challenge-ttl: 30m
            """;

  private static List<String> errors(String yaml) {
    return TopologyFile.errors("bulwark.yaml", yaml).stream().map(TopologyError::toString).toList();
  }

  @Test
  void readsEveryGatewayKey() {
    assertThat(errors(FULL)).isEmpty();
    Traffic traffic = TopologyFile.parse("bulwark.yaml", FULL).traffic().orElseThrow();

    assertThat(traffic.monitorGiven()).isTrue();
    assertThat(traffic.monitor().checkRegions()).containsExactly("us-east-1");
    assertThat(traffic.monitor().expectedCodes()).isEqualTo("2xx");
    assertThat(traffic.routes())
        .containsExactly(
            new Traffic.Route(
                Optional.empty(),
                Optional.of("/health"),
                true,
                Optional.of(Duration.ofSeconds(30)),
                false,
                Optional.empty(),
                Optional.empty(),
                Optional.empty()),
            new Traffic.Route(
                Optional.of("/api/v1/products"),
                Optional.empty(),
                false,
                Optional.empty(),
                true,
                Optional.empty(),
                Optional.of(Duration.ofSeconds(5)),
                Optional.of(1)),
            new Traffic.Route(
                Optional.of("/static"),
                Optional.empty(),
                false,
                Optional.empty(),
                false,
                Optional.of("us"),
                Optional.empty(),
                Optional.empty()));
    Traffic.Cache cache = traffic.cache().orElseThrow();
    assertThat(cache.maxBytes()).isEqualTo(32L << 20);
    assertThat(cache.maxEntryBytes()).isEqualTo(512L << 10);
    assertThat(cache.prewarm())
        .containsExactly("/api/v1/products", "/api/v1/products?category=books");
    Traffic.Protection protection = traffic.protection().orElseThrow();
    assertThat(protection.rules())
        .extracting(Traffic.BotRule::name, Traffic.BotRule::action)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("partners", "allow"),
            org.assertj.core.groups.Tuple.tuple("no-agent", "deny"),
            org.assertj.core.groups.Tuple.tuple("scripts", "challenge"),
            org.assertj.core.groups.Tuple.tuple("bad-net", "deny"));
    assertThat(protection.rules().get(0).header())
        .contains(new Traffic.HeaderMatch("x-partner", "^acme$"));
    assertThat(protection.rateLimits())
        .containsExactly(
            new Traffic.RateLimit("per-client", "ip", 20, 40, Optional.empty()),
            new Traffic.RateLimit(
                "orders", "header:x-api-key", 2, 2, Optional.of("/api/v1/orders")));
    assertThat(protection.challengeDifficulty()).isEqualTo(12);
    assertThat(protection.challengeTtl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(protection.maxClients()).isEqualTo(100_000);
  }

  @Test
  void aFileWithoutAMonitorLeavesThePoolChecksToTheServices() {
    Traffic traffic = TopologyFile.parse("bulwark.yaml", BASE).traffic().orElseThrow();

    assertThat(traffic.monitorGiven()).isFalse();
    assertThat(traffic.routes()).isEmpty();
    assertThat(traffic.cache()).isEmpty();
    assertThat(traffic.protection()).isEmpty();
  }

  @Test
  void rejectsWhatTheGatewayCouldNotRun() {
    String broken =
        BASE
            + """
                monitor: {check-regions: [ap-south-1]}
                routes:
                  - {path-prefix: /api, path-contains: /health}
                  - {path-prefix: /static, pool: cdn}
                  - {path-prefix: /catalog, cache: true}
                protection:
                  rules:
                    - {name: r1, action: deny, user-agent: "(curl"}
                    - {name: r2, action: deny, client: 10.0.0.0/40}
                    - {name: r1, action: allow}
                  rate-limits:
                    - {name: zero, rate: 0/s}
                    - {name: odd, rate: 20 per second}
              """;

    // Every error at once, in line order.
    assertThat(errors(broken))
        .containsExactly(
            "bulwark.yaml:16: traffic.monitor.check-regions[0]: unknown region, expected one of"
                + " us-east-1, eu-west-1, got \"ap-south-1\"",
            "bulwark.yaml:18: traffic.routes[0]: a route matches by path-prefix or by"
                + " path-contains, give exactly one, got both",
            "bulwark.yaml:19: traffic.routes[1].pool: unknown pool, expected one of us, eu, got"
                + " \"cdn\"",
            "bulwark.yaml:20: traffic.routes[2].cache: a route served from the edge cache needs a"
                + " traffic.cache section, got cache: true without one",
            "bulwark.yaml:23: traffic.protection.rules[0].user-agent: not a regular expression"
                + " (Unclosed group at index 5), got \"(curl\"",
            "bulwark.yaml:24: traffic.protection.rules[1].client: prefix length must be at most"
                + " 32, got \"10.0.0.0/40\"",
            "bulwark.yaml:25: traffic.protection.rules[2].name: duplicate bot rule name, first"
                + " given on line 23, got \"r1\"",
            "bulwark.yaml:27: traffic.protection.rate-limits[0].rate: a rate must be more than 0,"
                + " got \"0/s\"",
            "bulwark.yaml:28: traffic.protection.rate-limits[1].rate: expected a rate like 20/s or"
                + " 600/m, got \"20 per second\"");
  }

  @Test
  void rejectsAPrewarmedPathNoCachingRouteServes() {
    String yaml =
        BASE
            + """
                routes:
                  - {path-prefix: /api/v1/products, cache: true}
                cache:
                  prewarm: [/api/v1/products, /api/v1/orders]
              """;

    assertThat(errors(yaml))
        .containsExactly(
            "bulwark.yaml:19: traffic.cache.prewarm[1]: a pre-warmed path must fall on a route"
                + " with cache: true, got \"/api/v1/orders\"");
  }
}
