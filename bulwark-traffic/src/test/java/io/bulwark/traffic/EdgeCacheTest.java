package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The edge cache against a real origin that sends Cache-Control and ETag and answers 304. */
class EdgeCacheTest {
  private final Origin origin = Origin.start();
  private final SessionAffinityTest.MovableClock clock = new SessionAffinityTest.MovableClock();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Gateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close(Duration.ofSeconds(2));
    }
    origin.close();
  }

  private void start(EdgeCache cache) {
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .adminPort(0)
                .pool(PoolConfig.builder("shop").noHealthCheck().target(origin.target()).build())
                .cache(cache)
                .route(RouteConfig.prefix("/api/v1/products").cache(true).build())
                .build(),
            registry,
            clock);
  }

  private void start() {
    start(EdgeCache.defaults());
  }

  private HttpResponse<String> get(String path, String... headers) {
    HttpResponse<String> response = Http.get(gateway.port(), path, headers);
    return response;
  }

  private static String cacheResult(HttpResponse<String> response) {
    return response.headers().firstValue("x-cache").orElse("(none)");
  }

  @Test
  void servesAFreshAnswerFromMemoryWithItsAge() {
    origin.serve(
        "/api/v1/products", "[catalog v1]", "Cache-Control", "max-age=60", "ETag", "\"v1\"");
    start();

    HttpResponse<String> first = get("/api/v1/products");
    clock.advance(Duration.ofSeconds(5));
    HttpResponse<String> second = get("/api/v1/products");

    assertThat(cacheResult(first)).isEqualTo("MISS");
    assertThat(cacheResult(second)).isEqualTo("HIT");
    assertThat(second.body()).isEqualTo("[catalog v1]");
    assertThat(second.headers().firstValue("etag")).hasValue("\"v1\"");
    assertThat(second.headers().firstValue("age")).hasValue("5");
    assertThat(second.headers().firstValue("x-request-id")).isPresent();
    assertThat(origin.full("/api/v1/products")).isEqualTo(1);
  }

  @Test
  void revalidatesAStaleAnswerWithIfNoneMatchAndFetchesAChangedOne() {
    origin.serve("/api/v1/products", "[v1]", "Cache-Control", "max-age=10", "ETag", "\"v1\"");
    start();
    get("/api/v1/products");

    clock.advance(Duration.ofSeconds(11));
    HttpResponse<String> revalidated = get("/api/v1/products");

    assertThat(cacheResult(revalidated)).isEqualTo("REVALIDATED");
    assertThat(revalidated.statusCode()).isEqualTo(200);
    assertThat(revalidated.body()).isEqualTo("[v1]");
    assertThat(origin.notModified("/api/v1/products")).isEqualTo(1);
    assertThat(origin.full("/api/v1/products")).isEqualTo(1);
    // The 304 made it fresh again for another max-age.
    assertThat(cacheResult(get("/api/v1/products"))).isEqualTo("HIT");

    origin.serve("/api/v1/products", "[v2]", "Cache-Control", "max-age=10", "ETag", "\"v2\"");
    clock.advance(Duration.ofSeconds(11));
    HttpResponse<String> changed = get("/api/v1/products");
    assertThat(cacheResult(changed)).isEqualTo("MISS");
    assertThat(changed.body()).isEqualTo("[v2]");
    assertThat(get("/api/v1/products").body()).isEqualTo("[v2]");
    assertThat(origin.full("/api/v1/products")).isEqualTo(2);
  }

  @Test
  void revalidatesEveryTimeWhenTheOriginSaysNoCache() {
    // How an origin keeps authenticated reads checked on every request while saving the body:
    // public (a shared cache may keep an answer to a request with Authorization), no-cache
    // (but must ask the origin each time, which checks the token) and an ETag.
    origin.serve(
        "/api/v1/products/42",
        "{\"sku\":\"BOOK-1\"}",
        "Cache-Control",
        "public, no-cache",
        "ETag",
        "W/\"42-7\"");
    start();

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = get("/api/v1/products/42", "authorization", "Bearer customer");
      assertThat(r.body()).isEqualTo("{\"sku\":\"BOOK-1\"}");
    }

    assertThat(origin.full("/api/v1/products/42")).isEqualTo(1);
    assertThat(origin.notModified("/api/v1/products/42")).isEqualTo(2);
  }

  @Test
  void storesOnlyWhatASharedCacheMayKeep() {
    origin
        .serve("/api/v1/products/no-store", "a", "Cache-Control", "no-store, max-age=60")
        .serve("/api/v1/products/private", "b", "Cache-Control", "private, max-age=60")
        .serve("/api/v1/products/cookie", "c", "Cache-Control", "max-age=60", "Set-Cookie", "s=1")
        .serve("/api/v1/products/no-validator", "d")
        .serve("/api/v1/products/mine", "e", "Cache-Control", "max-age=60")
        .serve("/api/v1/products/public", "f", "Cache-Control", "public, max-age=60");
    start();

    for (int i = 0; i < 2; i++) {
      get("/api/v1/products/no-store");
      get("/api/v1/products/private");
      get("/api/v1/products/cookie");
      get("/api/v1/products/no-validator");
      get("/api/v1/products/mine", "authorization", "Bearer alice");
      get("/api/v1/products/public", "authorization", "Bearer alice");
    }

    assertThat(origin.full("/api/v1/products/no-store")).isEqualTo(2);
    assertThat(origin.full("/api/v1/products/private")).isEqualTo(2);
    assertThat(origin.full("/api/v1/products/cookie")).isEqualTo(2);
    assertThat(origin.full("/api/v1/products/no-validator")).isEqualTo(2);
    assertThat(origin.full("/api/v1/products/mine")).isEqualTo(2);
    assertThat(origin.full("/api/v1/products/public")).isEqualTo(1);
  }

  @Test
  void keepsOneVariantPerValueOfTheHeadersTheAnswerVariesOn() {
    origin.serve(
        "/api/v1/products", "[catalog]", "Cache-Control", "max-age=60", "Vary", "Accept-Language");
    start();

    get("/api/v1/products", "accept-language", "en");
    get("/api/v1/products", "accept-language", "ja");
    HttpResponse<String> en = get("/api/v1/products", "accept-language", "en");
    HttpResponse<String> ja = get("/api/v1/products", "accept-language", "ja");

    assertThat(cacheResult(en)).isEqualTo("HIT");
    assertThat(cacheResult(ja)).isEqualTo("HIT");
    assertThat(origin.full("/api/v1/products")).isEqualTo(2);
  }

  @Test
  void answersAClientsIfNoneMatchFromTheCacheWith304() {
    origin.serve("/api/v1/products", "[v1]", "Cache-Control", "max-age=60", "ETag", "\"v1\"");
    start();
    get("/api/v1/products");

    HttpResponse<String> conditional = get("/api/v1/products", "if-none-match", "\"v1\"");

    assertThat(conditional.statusCode()).isEqualTo(304);
    assertThat(conditional.body()).isEmpty();
    assertThat(origin.full("/api/v1/products")).isEqualTo(1);
    assertThat(origin.notModified("/api/v1/products")).isZero();
  }

  @Test
  void staysWithinItsByteBudgetByEvictingTheLeastRecentlyUsed() throws Exception {
    String body = "x".repeat(3000);
    for (String p : List.of("a", "b", "c")) {
      origin.serve("/api/v1/products/" + p, body, "Cache-Control", "max-age=60");
    }
    origin.serve("/api/v1/products/huge", "y".repeat(5000), "Cache-Control", "max-age=60");
    start(EdgeCache.builder().maxBytes(8192).maxEntryBytes(4096).build());

    get("/api/v1/products/a");
    get("/api/v1/products/b");
    get("/api/v1/products/a"); // a is now the most recently used
    get("/api/v1/products/c"); // evicts b
    get("/api/v1/products/huge"); // larger than an entry may be: passes through

    assertThat(cacheResult(get("/api/v1/products/a"))).isEqualTo("HIT");
    assertThat(cacheResult(get("/api/v1/products/c"))).isEqualTo("HIT");
    assertThat(cacheResult(get("/api/v1/products/b"))).isEqualTo("MISS");
    assertThat(cacheResult(get("/api/v1/products/huge"))).isEqualTo("MISS");
    JsonNode stats =
        Json.mapper().readTree(Http.get(gateway.adminPort(), "/admin/cache").body()).path("stats");
    assertThat(stats.path("bytes").asLong()).isLessThanOrEqualTo(8192);
    assertThat(stats.path("entries").asInt()).isEqualTo(2);
    assertThat(registry.scrape()).contains("bulwark_gateway_cache_evictions_total 2.0");
  }

  @Test
  void dropsStoredAnswersWhenAWriteToTheSameResourceSucceeds() {
    origin.serve("/api/v1/products/7", "{\"price\":10}", "Cache-Control", "max-age=60");
    start();
    get("/api/v1/products/7");

    Http.send("PUT", gateway.port(), "/api/v1/products/7", "{\"price\":12}");

    assertThat(origin.writes("/api/v1/products/7")).isEqualTo(1);
    assertThat(cacheResult(get("/api/v1/products/7"))).isEqualTo("MISS");
  }

  @Test
  void servesAStaleAnswerWhileTheOriginCannotBeReachedUnlessItMustRevalidate() {
    origin
        .serve("/api/v1/products", "[v1]", "Cache-Control", "max-age=10", "ETag", "\"v1\"")
        .serve(
            "/api/v1/products/strict",
            "[strict]",
            "Cache-Control",
            "max-age=10, must-revalidate",
            "ETag",
            "\"s\"");
    start();
    get("/api/v1/products");
    get("/api/v1/products/strict");

    origin.stop();
    clock.advance(Duration.ofSeconds(30));

    HttpResponse<String> stale = get("/api/v1/products");
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(cacheResult(stale)).isEqualTo("STALE");
    assertThat(stale.body()).isEqualTo("[v1]");
    // Unreachable is 502, or 503 once passive outlier detection has ejected the target.
    assertThat(get("/api/v1/products/strict").statusCode()).isIn(502, 503);
  }

  @Test
  void prewarmsConfiguredPathsAtStartSoTheFirstClientHits() throws Exception {
    origin
        .serve("/api/v1/products", "[all]", "Cache-Control", "max-age=300")
        .serve("/api/v1/products?category=books", "[books]", "Cache-Control", "max-age=300")
        .serve("/api/v1/products/private", "[p]", "Cache-Control", "private");
    start(
        EdgeCache.builder()
            .prewarm(
                List.of(
                    "/api/v1/products",
                    "/api/v1/products?category=books",
                    "/api/v1/products/private"))
            .build());

    EdgeCache.PrewarmResult result = gateway.lastPrewarm().orElseThrow().get(30, TimeUnit.SECONDS);

    assertThat(result.warmed())
        .containsExactly("/api/v1/products", "/api/v1/products?category=books");
    assertThat(result.failed())
        .containsOnlyKeys("/api/v1/products/private")
        .containsValue("the answer (status 200) may not be stored by a shared cache");
    assertThat(cacheResult(get("/api/v1/products"))).isEqualTo("HIT");
    assertThat(get("/api/v1/products?category=books").body()).isEqualTo("[books]");
    assertThat(origin.full("/api/v1/products")).isEqualTo(1);
    assertThat(origin.full("/api/v1/products?category=books")).isEqualTo(1);
  }

  @Test
  void reportsItsHitRatioAndLeavesRoutesThatDoNotOptInAlone() throws Exception {
    origin
        .serve("/api/v1/products", "[v1]", "Cache-Control", "max-age=60")
        .serve("/api/v1/orders", "[mine]", "Cache-Control", "max-age=60");
    start();

    for (int i = 0; i < 4; i++) {
      get("/api/v1/products");
      HttpResponse<String> orders = get("/api/v1/orders");
      assertThat(orders.headers().firstValue("x-cache")).isEmpty();
    }

    assertThat(origin.full("/api/v1/orders")).isEqualTo(4);
    assertThat(registry.scrape())
        .contains(
            "bulwark_gateway_cache_hit_ratio 0.75",
            "bulwark_gateway_cache_requests_total{result=\"hit\"} 3.0",
            "bulwark_gateway_cache_requests_total{result=\"miss\"} 1.0");
    JsonNode cache = Json.mapper().readTree(Http.get(gateway.adminPort(), "/admin/cache").body());
    assertThat(cache.path("stats").path("hitRatio").asDouble()).isEqualTo(0.75);

    HttpResponse<String> purged =
        Http.send("DELETE", gateway.adminPort(), "/admin/cache?path=/api/v1/products", "");
    assertThat(Json.mapper().readTree(purged.body()).path("purged").asInt()).isEqualTo(1);
    assertThat(cacheResult(get("/api/v1/products"))).isEqualTo("MISS");
    assertThat(gateway.purgeCache(Optional.empty())).isEqualTo(1);
  }
}
