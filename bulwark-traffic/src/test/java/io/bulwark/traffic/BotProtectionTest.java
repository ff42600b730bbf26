package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.ProblemDocument;
import io.bulwark.traffic.BotProtection.Action;
import io.bulwark.traffic.BotProtection.ClientKey;
import io.bulwark.traffic.BotProtection.Condition;
import io.bulwark.traffic.BotProtection.RateLimit;
import io.bulwark.traffic.BotProtection.Rule;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bot rules and per-client rate limits in front of a real backend. */
class BotProtectionTest {
  private final TestBackend backend = TestBackend.start("shop-1");
  private final SessionAffinityTest.MovableClock clock = new SessionAffinityTest.MovableClock();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Gateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close(Duration.ofSeconds(2));
    }
    backend.close();
  }

  private void start(BotProtection protection) {
    GatewayConfig.Builder config =
        GatewayConfig.builder()
            .adminPort(0)
            .pool(PoolConfig.builder("shop").noHealthCheck().target(backend.target()).build());
    if (protection != null) {
      config.protection(protection);
    }
    gateway = Gateway.start(config.build(), registry, clock);
  }

  private HttpResponse<String> get(String path, String... headers) {
    return Http.get(gateway.port(), path, headers);
  }

  private static JsonNode problem(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type"))
        .hasValue(ProblemDocument.CONTENT_TYPE);
    try {
      JsonNode body = Json.mapper().readTree(response.body());
      assertThat(body.path("status").asInt()).isEqualTo(status);
      return body;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void answers429WithRetryAfterOnceAClientHasSpentItsBurst() {
    start(
        BotProtection.builder()
            .rateLimit(RateLimit.of("per-client", ClientKey.ip(), 5, 3))
            .build());

    for (int i = 0; i < 3; i++) {
      assertThat(get("/products").statusCode()).isEqualTo(200);
    }
    HttpResponse<String> limited = get("/products");

    JsonNode body = problem(limited, 429);
    assertThat(body.path("type").asText()).isEqualTo("/problems/gateway-429");
    assertThat(body.path("detail").asText())
        .isEqualTo(
            "rate limit \"per-client\" (5 requests/s, burst 3) exceeded by this client; retry"
                + " after 1 s");
    assertThat(limited.headers().firstValue("retry-after")).hasValue("1");
    assertThat(backend.requests()).isEqualTo(3);
    // The bucket refills at 5 tokens a second.
    await().atMost(Duration.ofSeconds(5)).until(() -> get("/products").statusCode() == 200);
  }

  @Test
  void keepsOneBucketPerApiKeyAndFallsBackToTheAddressWithoutOne() {
    start(
        BotProtection.builder()
            .rateLimit(
                new RateLimit(
                    "per-key", ClientKey.header("x-api-key"), 0.01, 2, Optional.of("/api")))
            .build());

    for (String key : new String[] {"alpha", "beta"}) {
      assertThat(get("/api/orders", "x-api-key", key).statusCode()).isEqualTo(200);
      assertThat(get("/api/orders", "x-api-key", key).statusCode()).isEqualTo(200);
      assertThat(get("/api/orders", "x-api-key", key).statusCode()).isEqualTo(429);
    }
    assertThat(get("/api/orders").statusCode()).isEqualTo(200);
    assertThat(get("/api/orders").statusCode()).isEqualTo(200);
    assertThat(get("/api/orders").statusCode()).isEqualTo(429);
    // Paths outside the limit's prefix do not count.
    for (int i = 0; i < 5; i++) {
      assertThat(get("/static/app.js").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void boundsTheBucketsKeptAndLetsNewClientsShareOneBeyondThat() throws Exception {
    start(
        BotProtection.builder()
            .maxClients(2)
            .rateLimit(RateLimit.of("per-key", ClientKey.header("x-api-key"), 0.01, 1))
            .build());

    assertThat(get("/", "x-api-key", "a").statusCode()).isEqualTo(200);
    assertThat(get("/", "x-api-key", "b").statusCode()).isEqualTo(200);
    // c and d find the table full: they share one bucket of one token.
    assertThat(get("/", "x-api-key", "c").statusCode()).isEqualTo(200);
    assertThat(get("/", "x-api-key", "d").statusCode()).isEqualTo(429);

    JsonNode status =
        Json.mapper().readTree(Http.get(gateway.adminPort(), "/admin/protection").body());
    assertThat(status.path("clients").path("per-key").asInt()).isEqualTo(2);
  }

  @Test
  void deniesByUserAgentHeaderAndAddressAndLetsAllowRulesSkipTheLimits() {
    start(
        BotProtection.builder()
            .rule(Rule.of("partners", Action.ALLOW, new Condition.Header("x-partner", "^acme$")))
            .rule(Rule.of("no-agent", Action.DENY, new Condition.UserAgent("^$")))
            .rule(
                Rule.of(
                    "scrapers",
                    Action.DENY,
                    new Condition.UserAgent("(?i)scrapy|python-requests"),
                    new Condition.PathPrefix("/products")))
            .rule(Rule.of("blocked-net", Action.DENY, new Condition.ClientCidr("10.0.0.0/8")))
            .rateLimit(RateLimit.of("per-client", ClientKey.ip(), 0.01, 2))
            .build());

    JsonNode denied = problem(get("/products", "user-agent", "Scrapy/2.11"), 403);
    assertThat(denied.path("detail").asText()).isEqualTo("denied by bot rule \"scrapers\"");
    // The same agent elsewhere, and a browser on the same path, pass.
    assertThat(get("/about", "user-agent", "Scrapy/2.11").statusCode()).isEqualTo(200);
    assertThat(get("/products", "user-agent", "Mozilla/5.0").statusCode()).isEqualTo(200);
    assertThat(get("/products", "user-agent", "Mozilla/5.0").statusCode()).isEqualTo(429);
    // The JDK client sends a user agent; a request without one is refused.
    try (RawConnection raw = new RawConnection(gateway.port())) {
      RawConnection.Answer answer = raw.get("/products");
      assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 403 Forbidden");
      assertThat(answer.body()).contains("denied by bot rule \\\"no-agent\\\"");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    // An allowed partner is not rate limited (the address has spent its two tokens above).
    for (int i = 0; i < 4; i++) {
      assertThat(get("/products", "x-partner", "acme").statusCode()).isEqualTo(200);
    }
    assertThat(backend.requests()).isEqualTo(6);
    assertThat(registry.scrape())
        .contains(
            "bulwark_gateway_protection_decisions_total{outcome=\"denied\",rule=\"scrapers\"} 1",
            "bulwark_gateway_protection_decisions_total{outcome=\"allowed\",rule=\"partners\"} 4",
            "bulwark_gateway_protection_decisions_total{outcome=\"limited\",rule=\"per-client\"} 1");
  }

  @Test
  void challengesAScriptAndLetsItInOnceItHasSolvedTheProofOfWork() {
    start(
        BotProtection.builder()
            .challengeDifficulty(8)
            .challengeTtl(Duration.ofMinutes(10))
            .rule(Rule.of("suspicious", Action.CHALLENGE, new Condition.UserAgent("(?i)curl")))
            .build());

    HttpResponse<String> challenged = get("/products", "user-agent", "curl/8.5");
    JsonNode body = problem(challenged, 403);
    String nonce = challenged.headers().firstValue("x-bulwark-challenge").orElseThrow();
    assertThat(challenged.headers().firstValue("x-bulwark-challenge-difficulty")).hasValue("8");
    assertThat(body.path("title").asText()).isEqualTo("Challenge required");
    assertThat(body.path("detail").asText()).contains(nonce, "8 zero bits");
    assertThat(backend.requests()).isZero();

    String solution = solve(nonce, 8);
    assertThat(get("/products", "user-agent", "curl/8.5", "x-bulwark-challenge", solution).body())
        .isEqualTo("shop-1");
    assertThat(
            get("/products", "user-agent", "curl/8.5", "cookie", "BULWARK_CHALLENGE=" + solution)
                .statusCode())
        .isEqualTo(200);
    // A guessed suffix, or someone else's nonce, does not pass.
    String unsolved = nonce + "." + unsolvedSuffix(nonce, 8);
    assertThat(get("/products", "user-agent", "curl", "x-bulwark-challenge", unsolved).statusCode())
        .isEqualTo(403);
    String forged = "9999999999.AAAAAAAAAAAAAAAAAAAAAA";
    assertThat(
            get("/products", "user-agent", "curl", "x-bulwark-challenge", solve(forged, 8))
                .statusCode())
        .isEqualTo(403);
    // A solution lasts as long as the challenge's TTL.
    clock.advance(Duration.ofMinutes(11));
    assertThat(get("/products", "user-agent", "curl", "x-bulwark-challenge", solution).statusCode())
        .isEqualTo(403);
  }

  @Test
  void givesABrowserAPageThatSolvesTheChallengeItself() {
    start(BotProtection.builder().rule(Rule.of("everyone", Action.CHALLENGE)).build());

    HttpResponse<String> page = get("/", "accept", "text/html,application/xhtml+xml");

    assertThat(page.statusCode()).isEqualTo(403);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    String nonce = page.headers().firstValue("x-bulwark-challenge").orElseThrow();
    assertThat(page.body())
        .contains(
            "Checking your browser",
            "var nonce = \"" + nonce + "\", difficulty = 16;",
            "BULWARK_CHALLENGE=",
            "max-age=3600");
  }

  @Test
  void changesAtRuntimeThroughTheAdminApi() throws Exception {
    start(null);
    int admin = gateway.adminPort();
    assertThat(
            Json.mapper()
                .readTree(Http.get(admin, "/admin/protection").body())
                .path("enabled")
                .asBoolean())
        .isFalse();

    HttpResponse<String> put =
        Http.send(
            "PUT",
            admin,
            "/admin/protection",
            """
            {"rules": [{"name": "no-bots", "action": "deny", "userAgent": "(?i)bot"}],
             "rateLimits": [{"name": "per-client", "key": "ip", "rate": 0.01, "burst": 3}]}
            """);
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(gateway.botProtection()).isPresent();
    assertThat(get("/", "user-agent", "evil-bot").statusCode()).isEqualTo(403);

    assertThat(
            Http.send(
                    "POST",
                    admin,
                    "/admin/protection/rules",
                    "{\"name\": \"admin-only\", \"action\": \"deny\", \"path\": \"/admin\"}")
                .statusCode())
        .isEqualTo(201);
    assertThat(get("/admin/users").statusCode()).isEqualTo(403);
    assertThat(Http.send("DELETE", admin, "/admin/protection/rules/no-bots", "").statusCode())
        .isEqualTo(204);
    assertThat(get("/", "user-agent", "evil-bot").statusCode()).isEqualTo(200);
    assertThat(get("/").statusCode()).isEqualTo(200);
    assertThat(get("/").statusCode()).isEqualTo(200);
    assertThat(get("/").statusCode()).isEqualTo(429);

    // A changed burst keeps the client's bucket, still empty: a change hands out no tokens.
    assertThat(
            Http.send(
                    "PUT",
                    admin,
                    "/admin/protection/rate-limits/per-client",
                    "{\"rate\": 0.01, \"burst\": 5}")
                .statusCode())
        .isEqualTo(200);
    assertThat(get("/").statusCode()).isEqualTo(429);
    // A changed key starts its buckets afresh.
    assertThat(
            Http.send(
                    "PUT",
                    admin,
                    "/admin/protection/rate-limits/per-client",
                    "{\"key\": \"header:x-api-key\", \"rate\": 0.01, \"burst\": 5}")
                .statusCode())
        .isEqualTo(200);
    assertThat(get("/").statusCode()).isEqualTo(200);
    JsonNode status = Json.mapper().readTree(Http.get(admin, "/admin/protection").body());
    assertThat(status.path("rules").get(0).path("name").asText()).isEqualTo("admin-only");
    assertThat(status.path("rateLimits").get(0).path("burst").asInt()).isEqualTo(5);
    assertThat(status.path("secretSet").asBoolean()).isFalse();

    assertThat(Http.send("DELETE", admin, "/admin/protection", "").statusCode()).isEqualTo(204);
    assertThat(get("/admin/users").statusCode()).isEqualTo(200);
    assertThat(gateway.botProtection()).isEmpty();
  }

  @Test
  void refusesBadChangesNamingTheFieldAndKeepsWhatWasThere() throws Exception {
    start(
        BotProtection.builder()
            .rule(Rule.of("keep", Action.DENY, new Condition.PathPrefix("/x")))
            .build());
    int admin = gateway.adminPort();

    JsonNode regex =
        problem(
            Http.send(
                "PUT",
                admin,
                "/admin/protection",
                "{\"rules\": [{\"name\": \"r\", \"action\": \"deny\", \"userAgent\": \"(\"}]}"),
            400);
    assertThat(regex.path("field").asText()).isEqualTo("rules[0].userAgent");
    assertThat(regex.path("detail").asText()).contains("invalid regular expression \"(\"");
    JsonNode action =
        problem(
            Http.send(
                "POST",
                admin,
                "/admin/protection/rules",
                "{\"name\": \"r\", \"action\": \"block\"}"),
            400);
    assertThat(action.path("detail").asText())
        .isEqualTo("action: expected one of allow, deny, challenge but was \"block\"");
    JsonNode key =
        problem(
            Http.send(
                "PUT",
                admin,
                "/admin/protection/rate-limits/l",
                "{\"key\": \"cookie\", \"rate\": 1}"),
            400);
    assertThat(key.path("field").asText()).isEqualTo("key");
    JsonNode duplicate =
        problem(
            Http.send(
                "POST",
                admin,
                "/admin/protection/rules",
                "{\"name\": \"keep\", \"action\": \"allow\"}"),
            400);
    assertThat(duplicate.path("detail").asText()).contains("\"keep\" is used twice");
    JsonNode unknown = problem(Http.send("DELETE", admin, "/admin/protection/rules/nope", ""), 404);
    assertThat(unknown.path("detail").asText()).isEqualTo("no bot rule named \"nope\"");

    assertThat(gateway.botProtection().orElseThrow().rules())
        .extracting(Rule::name)
        .containsExactly("keep");
    assertThat(get("/x").statusCode()).isEqualTo(403);
  }

  /** Finds a suffix S such that SHA-256(nonce + "." + S) starts with {@code bits} zero bits. */
  private static String solve(String nonce, int bits) {
    for (long n = 0; ; n++) {
      if (zeroBits(sha256(nonce + "." + n)) >= bits) {
        return nonce + "." + n;
      }
    }
  }

  private static String unsolvedSuffix(String nonce, int bits) {
    for (long n = 0; ; n++) {
      if (zeroBits(sha256(nonce + "." + n)) < bits) {
        return Long.toString(n);
      }
    }
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int zeroBits(byte[] hash) {
    int bits = 0;
    for (byte b : hash) {
      if (b == 0) {
        bits += 8;
      } else {
        return bits + Integer.numberOfLeadingZeros(b & 0xFF) - 24;
      }
    }
    return bits;
  }
}
