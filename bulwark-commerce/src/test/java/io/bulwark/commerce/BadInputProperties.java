package io.bulwark.commerce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.commerce.TestServer.Response;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.Caller;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.auth.Roles;
import io.bulwark.kernel.Json;
import io.bulwark.testkit.TestPostgres;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes every commerce endpoint with malformed JSON, wrong types, huge values, unknown fields,
 * missing or broken credentials and other users' ids: the answer is always a 4xx problem+json
 * (naming the field where there is one), never a 500, and no data changes.
 */
class BadInputProperties {

  static TestServer app;
  static String admin;
  static String alice;
  static String bob;
  static String bobId;
  static String bobOrder;
  static String database;

  /** An endpoint with a body that would succeed, and who may call it. */
  record Endpoint(String method, String path, String token, String validBody) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  @BeforeContainer
  static void start() throws Exception {
    database = "t_badinput_" + ProcessHandle.current().pid();
    TestPostgres.server().createDatabaseIfMissing(database);
    Path home = Files.createTempDirectory("bulwark-fuzz-");
    app =
        new TestServer(
            TestPostgres.server().jdbcUrl(database),
            home,
            o -> o.loginFailuresPerAddress(1_000_000).loginFailuresPerAccount(1_000_000));
    admin = app.adminToken();
    app.send(
        "POST",
        "/api/v1/products",
        admin,
        "{\"sku\":\"FUZZ-1\",\"name\":\"Fuzz\",\"price\":100,\"available\":1000}");
    alice = app.customer("alice");
    bob = app.customer("bob");
    bobId = app.get("/api/v1/users/me", bob).json().get("id").asText();
    bobOrder =
        app.send("POST", "/api/v1/orders", bob, "{\"items\":[{\"sku\":\"FUZZ-1\",\"quantity\":1}]}")
            .json()
            .get("id")
            .asText();
  }

  @AfterContainer
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  static List<Endpoint> writeEndpoints() {
    return List.of(
        new Endpoint(
            "POST",
            "/api/v1/auth/register",
            null,
            "{\"username\":\"fuzzer\",\"password\":\"password-1\",\"name\":\"Fuzz\"}"),
        new Endpoint(
            "POST", "/api/v1/auth/login", null, "{\"username\":\"alice\",\"password\":\"x\"}"),
        new Endpoint("POST", "/api/v1/auth/refresh", null, "{\"refreshToken\":\"a.b\"}"),
        new Endpoint("POST", "/api/v1/auth/logout", alice, "{\"refreshToken\":\"a.b\"}"),
        new Endpoint("PUT", "/api/v1/users/me-placeholder", alice, "{\"name\":\"Alice A\"}"),
        new Endpoint(
            "POST",
            "/api/v1/products",
            admin,
            "{\"sku\":\"NEW-1\",\"name\":\"New\",\"price\":100,\"currency\":\"EUR\","
                + "\"lowStockThreshold\":1,\"available\":1}"),
        new Endpoint("PUT", "/api/v1/inventory/FUZZ-1", admin, "{\"available\":5}"),
        new Endpoint("POST", "/api/v1/inventory/FUZZ-1/adjustments", admin, "{\"delta\":1}"),
        new Endpoint(
            "POST", "/api/v1/orders", alice, "{\"items\":[{\"sku\":\"FUZZ-1\",\"quantity\":1}]}"));
  }

  @Provide
  Arbitrary<Endpoint> endpoints() {
    return Arbitraries.of(writeEndpoints());
  }

  @Provide
  Arbitrary<String> junk() {
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(120);
    Arbitrary<String> fragments =
        Arbitraries.of(
            "",
            " ",
            "{",
            "}",
            "[",
            "null",
            "1",
            "-0",
            "1e400",
            "\"x\"",
            "true",
            "{}",
            "[]",
            "{\"items\":",
            "{\"items\":[{}]}",
            "{\"a\":1}{\"b\":2}",
            "{\"x\":1}",
            "\u0000",
            "{\"items\":[{\"sku\":\"FUZZ-1\",\"quantity\":1}],}",
            "[{\"sku\":\"FUZZ-1\"}]");
    Arbitrary<String> objects =
        Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8), values())
            .ofMaxSize(4)
            .map(Json::write);
    return Arbitraries.oneOf(text, fragments, objects);
  }

  @Provide
  Arbitrary<JsonNode> values() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(30).map(f::textNode),
        Arbitraries.integers().map(i -> (JsonNode) f.numberNode(i)),
        Arbitraries.doubles().map(d -> (JsonNode) f.numberNode(d)),
        Arbitraries.of(
            f.booleanNode(true),
            f.nullNode(),
            f.arrayNode(),
            f.objectNode(),
            f.numberNode(new BigInteger("99999999999999999999999999999")),
            f.numberNode(Long.MAX_VALUE),
            f.numberNode(-1),
            f.numberNode(1.5),
            f.textNode("1"),
            f.textNode("x".repeat(5000))));
  }

  @Provide
  Arbitrary<JsonNode> wrongValues() {
    return values().filter(v -> !v.isNull());
  }

  @Property(tries = 200)
  void anyBodyToAnyWriteEndpointIsARejectedProblemAndChangesNothing(
      @ForAll("endpoints") Endpoint e, @ForAll("junk") String body) throws Exception {
    String before = fingerprint();
    Response r = app.send(e.method(), path(e), e.token(), body);
    assertProblem(r, 400, 499);
    assertThat(fingerprint()).isEqualTo(before);
  }

  @Property(tries = 200)
  void wrongTypesAndOutOfRangeValuesAreRejectedNamingTheField(
      @ForAll("endpoints") Endpoint e, @ForAll("wrongValues") JsonNode wrong, @ForAll int pick)
      throws Exception {
    ObjectNode body = (ObjectNode) Json.parse(e.validBody());
    List<String> fields = leafPaths(body);
    String target = fields.get(Math.floorMod(pick, fields.size()));
    if (compatible(target, wrong)) {
      return; // a value of the right type and range is not a bad input
    }
    set(body, target, wrong);
    String before = fingerprint();
    Response r = app.send(e.method(), path(e), e.token(), Json.write(body));
    assertProblem(r, 400, 422);
    assertThat(r.json().path("field").asText()).as(r.body()).isEqualTo("$." + target);
    assertThat(fingerprint()).isEqualTo(before);
  }

  @Property(tries = 100)
  void unknownFieldsAreRejectedByName(
      @ForAll("endpoints") Endpoint e,
      @ForAll("names") String name,
      @ForAll("wrongValues") JsonNode value)
      throws Exception {
    ObjectNode body = (ObjectNode) Json.parse(e.validBody());
    if (body.has(name)) {
      return;
    }
    body.set(name, value);
    String before = fingerprint();
    Response r = app.send(e.method(), path(e), e.token(), Json.write(body));
    assertProblem(r, 400, 400);
    assertThat(r.json().path("field").asText()).isEqualTo("$." + name);
    assertThat(fingerprint()).isEqualTo(before);
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12);
  }

  @Provide
  Arbitrary<String[]> protectedCalls() {
    return Arbitraries.of(
        new String[] {"GET", "/api/v1/products"},
        new String[] {"POST", "/api/v1/products"},
        new String[] {"GET", "/api/v1/inventory/FUZZ-1"},
        new String[] {"PUT", "/api/v1/inventory/FUZZ-1"},
        new String[] {"POST", "/api/v1/inventory/FUZZ-1/adjustments"},
        new String[] {"GET", "/api/v1/inventory-events"},
        new String[] {"POST", "/api/v1/orders"},
        new String[] {"GET", "/api/v1/orders/{order}"},
        new String[] {"GET", "/api/v1/customers/{bob}/orders"},
        new String[] {"GET", "/api/v1/customers/{bob}/stats"},
        new String[] {"GET", "/api/v1/users/{bob}"},
        new String[] {"PUT", "/api/v1/users/{bob}"},
        new String[] {"GET", "/api/v1/users/me"},
        new String[] {"POST", "/api/v1/auth/logout"},
        new String[] {"GET", "/api/v1/payments/{order}"},
        new String[] {"POST", "/api/v1/admin/projections/orders/rebuild"});
  }

  @Provide
  Arbitrary<String> brokenAuthorization() {
    byte[] otherKey = "another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8);
    byte[] key = TestServer.SECRET.getBytes(StandardCharsets.UTF_8);
    Caller admin = new Caller(UUID.randomUUID(), "admin", Role.ADMIN);
    String forged =
        new AccessTokens(otherKey, Duration.ofMinutes(5), Clock.systemUTC(), Roles.builtIn())
            .issue(admin);
    String expired =
        new AccessTokens(
                key,
                Duration.ofMinutes(1),
                Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC),
                Roles.builtIn())
            .issue(admin);
    String tampered = alice.substring(0, alice.length() - 3) + "abc";
    return Arbitraries.oneOf(
        Arbitraries.of(
            "",
            "Bearer",
            "Bearer ",
            "Basic YWRtaW46YWRtaW4=",
            "Bearer " + forged,
            "Bearer " + expired,
            "Bearer " + tampered,
            "bearer x.y.z",
            "Bearer " + alice + "x"),
        Arbitraries.strings()
            .alpha()
            .numeric()
            .withChars('.', '-', '_')
            .ofMinLength(1)
            .ofMaxLength(60)
            .map(s -> "Bearer " + s));
  }

  @Property(tries = 150)
  void missingOrBrokenCredentialsAreAlways401(
      @ForAll("protectedCalls") String[] call, @ForAll("brokenAuthorization") String auth)
      throws Exception {
    String before = fingerprint();
    Response r = send(call[0], resolve(call[1]), auth, "{}");
    assertProblem(r, 401, 401);
    assertThat(fingerprint()).isEqualTo(before);
  }

  @Provide
  Arbitrary<String[]> otherUsersResources() {
    return Arbitraries.of(
        new String[] {"GET", "/api/v1/users/{bob}"},
        new String[] {"PUT", "/api/v1/users/{bob}"},
        new String[] {"GET", "/api/v1/orders/{order}"},
        new String[] {"GET", "/api/v1/customers/{bob}/orders"},
        new String[] {"GET", "/api/v1/customers/{bob}/stats"},
        new String[] {"GET", "/api/v1/payments/{order}"},
        new String[] {"GET", "/api/v1/inventory/FUZZ-1"},
        new String[] {"PUT", "/api/v1/inventory/FUZZ-1"},
        new String[] {"POST", "/api/v1/products"},
        new String[] {"POST", "/api/v1/admin/projections/orders/rebuild"});
  }

  @Property(tries = 60)
  void aCustomerCannotTouchAnotherUsersDataOrAdminResources(
      @ForAll("otherUsersResources") String[] call) throws Exception {
    String before = fingerprint();
    Response r =
        app.send(call[0], resolve(call[1]), alice, "{\"name\":\"Mallory\",\"available\":0}");
    assertProblem(r, 403, 403);
    assertThat(fingerprint()).isEqualTo(before);
  }

  @Property(tries = 100)
  void malformedAndUnknownIdsAreA4xxNamingTheParameter(
      @ForAll("idPaths") String template, @ForAll("ids") String id) throws Exception {
    Response r = app.get(template.replace("{id}", id), alice);
    assertProblem(r, 400, 404);
    if (r.status() == 400) {
      assertThat(r.json().path("field").asText()).isIn("id", "orderId");
    }
  }

  @Provide
  Arbitrary<String> idPaths() {
    return Arbitraries.of(
        "/api/v1/users/{id}",
        "/api/v1/orders/{id}",
        "/api/v1/customers/{id}/orders",
        "/api/v1/customers/{id}/stats");
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.oneOf(
        Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(40),
        Arbitraries.create(() -> UUID.randomUUID().toString()),
        Arbitraries.of("00000000-0000-0000-0000-000000000000", "1", "x-y", "%20"));
  }

  @Property(tries = 80)
  void badQueryParametersAreRejectedByName(
      @ForAll("queryParams") String param, @ForAll("junkParam") String value) throws Exception {
    Response r =
        app.get(
            "/api/v1/customers/"
                + bobId
                + "/orders?"
                + param
                + "="
                + java.net.URLEncoder.encode(value, StandardCharsets.UTF_8),
            bob);
    if (r.status() == 200) {
      return; // the junk happened to be a valid value (e.g. limit=5)
    }
    assertProblem(r, 400, 400);
    assertThat(r.json().path("field").asText()).isEqualTo(param);
  }

  @Provide
  Arbitrary<String> queryParams() {
    return Arbitraries.of("status", "from", "to", "limit", "offset");
  }

  @Provide
  Arbitrary<String> junkParam() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMinLength(1).ofMaxLength(30),
        Arbitraries.of("-1", "0", "101", "99999999999", "1.5", "2026-13-01", "yesterday"));
  }

  @Property(tries = 5)
  void aHugeBodyIsRefusedWithAProblem(@ForAll("endpoints") Endpoint e) throws Exception {
    String before = fingerprint();
    String huge = "{\"name\":\"" + "x".repeat(1_200_000) + "\"}";
    Response r = app.send(e.method(), path(e), e.token(), huge);
    assertProblem(r, 400, 413);
    assertThat(fingerprint()).isEqualTo(before);
  }

  // ---- helpers ----

  static void assertProblem(Response r, int min, int max) {
    assertThat(r.status()).as(r.body()).isBetween(min, max);
    assertThat(r.contentType()).as(r.body()).startsWith("application/problem+json");
    JsonNode problem = r.json();
    assertThat(problem.path("status").asInt()).isEqualTo(r.status());
    assertThat(problem.path("detail").asText()).isNotBlank();
  }

  static String path(Endpoint e) throws Exception {
    return e.path().replace("me-placeholder", aliceId());
  }

  static String aliceIdCache;

  static String aliceId() throws Exception {
    if (aliceIdCache == null) {
      aliceIdCache = app.get("/api/v1/users/me", alice).json().get("id").asText();
    }
    return aliceIdCache;
  }

  static String resolve(String template) {
    return template.replace("{bob}", bobId).replace("{order}", bobOrder);
  }

  static Response send(String method, String path, String authorization, String body)
      throws Exception {
    var rb =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.server.baseUrl() + path))
            .header("Content-Type", "application/json")
            .method(method, java.net.http.HttpRequest.BodyPublishers.ofString(body));
    if (!authorization.isEmpty()) {
      rb.header("Authorization", authorization);
    }
    var raw = app.http.send(rb.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    return new Response(raw.statusCode(), raw.body(), raw);
  }

  static String fingerprint() throws Exception {
    return DatabaseFingerprint.of(
        TestPostgres.server().jdbcUrl(database),
        "select (select count(*) from identity_users), (select string_agg(name || role,"
            + " ',' order by id) from identity_users), (select count(*) from"
            + " identity_refresh_tokens where revoked_at is not null), (select count(*)"
            + " from inventory_products), (select sum(available) from inventory_stock),"
            + " (select count(*) from eventstore_events where type = 'OrderPlaced')");
  }

  /** Paths of the scalar fields of a body, like {@code items[0].quantity}. */
  static List<String> leafPaths(ObjectNode body) {
    List<String> out = new java.util.ArrayList<>();
    body.properties()
        .forEach(
            f -> {
              if (f.getValue().isArray()) {
                out.add(f.getKey());
                ObjectNode first = (ObjectNode) f.getValue().get(0);
                first.fieldNames().forEachRemaining(n -> out.add(f.getKey() + "[0]." + n));
              } else {
                out.add(f.getKey());
              }
            });
    return out;
  }

  static void set(ObjectNode body, String path, JsonNode value) {
    int dot = path.indexOf("[0].");
    if (dot < 0) {
      body.set(path, value);
    } else {
      ((ObjectNode) ((ArrayNode) body.get(path.substring(0, dot))).get(0))
          .set(path.substring(dot + 4), value);
    }
  }

  private static final Set<String> STRING_FIELDS =
      Set.of("username", "password", "name", "refreshToken", "sku", "currency", "items[0].sku");

  private static final java.util.Map<String, long[]> INTEGER_FIELDS =
      java.util.Map.of(
          "price", new long[] {0, 1_000_000_000_000L},
          "lowStockThreshold", new long[] {0, 1_000_000},
          "available", new long[] {0, 1_000_000_000},
          "delta", new long[] {-1_000_000_000, 1_000_000_000},
          "items[0].quantity", new long[] {1, 1000});

  /** True when {@code v} is a value of the right type and range for the field. */
  static boolean compatible(String field, JsonNode v) {
    if (STRING_FIELDS.contains(field)) {
      return v.isTextual() && v.textValue().length() <= 64;
    }
    long[] range = INTEGER_FIELDS.get(field);
    return range != null
        && v.isIntegralNumber()
        && v.canConvertToLong()
        && v.longValue() >= range[0]
        && v.longValue() <= range[1];
  }
}
