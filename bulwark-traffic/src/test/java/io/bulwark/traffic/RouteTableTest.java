package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The route table: first match wins, with per-route affinity, answer TTL and pool. */
class RouteTableTest {
  private final List<TestBackend> web =
      List.of(TestBackend.start("web-1"), TestBackend.start("web-2"), TestBackend.start("web-3"));
  private final TestBackend assets = TestBackend.start("assets-1");
  private Gateway gateway;

  @BeforeEach
  void start() {
    PoolConfig.Builder pool = PoolConfig.builder("web").noHealthCheck();
    web.forEach(b -> pool.target(b.target()));
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .pool(pool.build())
                .pool(
                    PoolConfig.builder("assets")
                        .weight(0)
                        .noHealthCheck()
                        .target(assets.target())
                        .build())
                .affinity(SessionAffinity.withTtl(Duration.ofSeconds(3600)))
                // The seed's load-balancer rule: paths containing /health get no session
                // affinity and a 30 s TTL.
                .route(
                    RouteConfig.containing("/health")
                        .noAffinity()
                        .ttl(Duration.ofSeconds(30))
                        .build())
                .route(RouteConfig.prefix("/static").pool("assets").build())
                .build());
  }

  @AfterEach
  void stop() {
    gateway.close(Duration.ofSeconds(2));
    web.forEach(TestBackend::close);
    assets.close();
  }

  @Test
  void givesHealthPathsNoAffinityAndAThirtySecondTtl() {
    HttpResponse<String> pinned = Http.get(gateway.port(), "/cart");
    String cookie = pinned.headers().firstValue("set-cookie").orElseThrow();
    String cookiePair = cookie.substring(0, cookie.indexOf(';'));

    Set<String> served = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> health =
          Http.get(gateway.port(), "/api/health/db", "cookie", cookiePair);
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.headers().firstValue("set-cookie")).isEmpty();
      assertThat(health.headers().firstValue("cache-control")).hasValue("max-age=30");
      served.add(health.body());
    }

    // The cookie would pin every request to one target; the health route ignores it.
    assertThat(served).hasSizeGreaterThan(1);
    HttpResponse<String> cart = Http.get(gateway.port(), "/cart", "cookie", cookiePair);
    assertThat(cart.body()).isEqualTo(pinned.body());
    assertThat(cart.headers().firstValue("cache-control")).isEmpty();
  }

  @Test
  void leavesAnAnswerThatStatesItsOwnLifetimeAlone() {
    HttpResponse<String> response =
        Http.get(gateway.port(), "/api/health/db?cache-control=no-store");

    assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
  }

  @Test
  void sendsARouteWithAPoolToThatPool() {
    for (int i = 0; i < 3; i++) {
      assertThat(Http.get(gateway.port(), "/static/logo.png").body()).isEqualTo("assets-1");
      assertThat(Http.get(gateway.port(), "/cart").body()).startsWith("web-");
    }
  }

  @Test
  void triesRoutesInOrderSoTheFirstMatchWins() {
    // /static/health matches both routes; the health route comes first.
    HttpResponse<String> response = Http.get(gateway.port(), "/static/health");

    assertThat(response.body()).startsWith("web-");
    assertThat(response.headers().firstValue("cache-control")).hasValue("max-age=30");
  }

  @Test
  void rejectsRouteTablesThatCannotWork() {
    PoolConfig pool = PoolConfig.builder("web").build();
    assertThatThrownBy(
            () ->
                GatewayConfig.builder()
                    .pool(pool)
                    .route(RouteConfig.prefix("/static").pool("cdn").build())
                    .build())
        .hasMessage("routes[0] (route /static): unknown pool \"cdn\"; pools are [web]");
    assertThatThrownBy(
            () ->
                GatewayConfig.builder()
                    .pool(pool)
                    .route(RouteConfig.containing("/health").build())
                    .route(RouteConfig.containing("/health").noAffinity().build())
                    .build())
        .hasMessage("routes[1]: route */health* appears twice; the second never matches");
    assertThatThrownBy(
            () ->
                GatewayConfig.builder()
                    .pool(pool)
                    .route(RouteConfig.prefix("/api/v1/products").cache(true).build())
                    .build())
        .hasMessage(
            "routes[0] (route /api/v1/products) turns caching on, but the gateway has no edge"
                + " cache configured");
    assertThatThrownBy(() -> RouteConfig.prefix("api").build())
        .hasMessage("route.path: a prefix must start with '/' but was \"api\"");
    assertThatThrownBy(() -> RouteConfig.containing("/health").ttl(Duration.ZERO).build())
        .hasMessage("route */health*: ttl must be >= 1s but was PT0S");
  }
}
