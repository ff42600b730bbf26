package io.bulwark.commerce.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.auth.Caller;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.identity.User;
import io.bulwark.commerce.inventory.Product;
import io.bulwark.commerce.payment.simulator.PaymentSimulator;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.http.OpenApi;
import io.bulwark.kernel.Json;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import io.bulwark.server.http.HttpApi;
import io.bulwark.states.http.StatesHttpModule;
import io.bulwark.testkit.PostgresExtension;
import io.javalin.Javalin;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served OpenAPI document is valid 3.1 and describes exactly the routes commerce registers, the
 * body rules their handlers enforce and the shape of every response they give.
 */
class OpenApiDocumentTest {

  /** A machine whose executions wait an hour: they stay RUNNING while the tests call them. */
  static final String WAITING =
      "{\"StartAt\":\"Wait\",\"States\":{\"Wait\":{\"Type\":\"Wait\",\"Seconds\":3600,"
          + "\"End\":true}}}";

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static PaymentSimulator payments;
  static BulwarkServer server;
  static Commerce commerce;
  static String admin;
  static String adminId;
  static final AtomicReference<Javalin> app = new AtomicReference<>();
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    payments =
        PaymentSimulator.start(
            SimulatorOptions.defaults().withLatency(Duration.ZERO, Duration.ZERO));
    BulwarkServer.Builder b =
        BulwarkServer.builder(
            ServerConfig.builder()
                .name("openapi")
                .home(home)
                .httpPort(0)
                .jdbcUrl(pg.jdbcUrl())
                .poolSize(4)
                .shutdownGrace(Duration.ofSeconds(5))
                .build());
    commerce =
        Commerce.install(
            b,
            CommerceOptions.builder()
                .bcryptCost(4)
                .jwtSecret("openapi-test-secret-openapi-test-secret")
                .paymentGateway(URI.create("http://127.0.0.1:" + payments.port()))
                .pollInterval(Duration.ofMillis(100))
                .build());
    // The shop runs the engine's API on the saga's engine, as `bulwark demo` does.
    b.module(platform -> new StatesHttpModule(commerce.engine()));
    // Registered after commerce: sees the same Javalin app, to enumerate its routes.
    b.module(platform -> app::set);
    server = b.start();
    User a = commerce.identity().upsert("admin", "admin-password-1", "Admin", Role.ADMIN);
    admin = commerce.accessTokens().issue(new Caller(a.id(), a.username(), a.role()));
    adminId = a.id().toString();
    commerce.inventory().create(new Product("DOC-1", "Documented", 100, "EUR", 0), 10);
    commerce.engine().createStateMachine("doc-machine", WAITING);
    commerce.engine().start("doc-machine", "doc-1", Json.object());
    commerce
        .identity()
        .createRole(
            new Caller(a.id(), a.username(), a.role()), "doc-role", List.of("catalog_read"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (payments != null) {
      payments.close();
    }
  }

  static HttpResponse<String> call(String method, String path) throws Exception {
    return call(method, path, null, null);
  }

  static HttpResponse<String> call(String method, String path, String token, String body)
      throws Exception {
    return http.send(
        TestServer.request(server.baseUrl() + path, method, token, body).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A schema with its {@code $ref} followed. */
  static JsonNode resolve(JsonNode doc, JsonNode schema) {
    JsonNode ref = schema.get("$ref");
    return ref == null ? schema : doc.at(ref.asText().substring(1));
  }

  /** A JSON path and a value there that the schema forbids. */
  record Violation(String path, String why, JsonNode body) {}

  /**
   * Bodies that each break exactly one documented rule of {@code schema}, starting from {@code
   * valid}.
   */
  static List<Violation> violations(JsonNode doc, JsonNode schema, ObjectNode valid, String path) {
    List<Violation> out = new ArrayList<>();
    if (schema.path("additionalProperties").isBoolean()
        && !schema.get("additionalProperties").asBoolean()) {
      ObjectNode b = valid.deepCopy();
      b.put("undocumented", 1);
      out.add(new Violation(path + ".undocumented", "unknown field", b));
    }
    for (JsonNode required : schema.path("required")) {
      ObjectNode b = valid.deepCopy();
      b.remove(required.asText());
      out.add(new Violation(path + "." + required.asText(), "required", b));
    }
    for (Iterator<String> names = schema.path("properties").fieldNames(); names.hasNext(); ) {
      String name = names.next();
      JsonNode p = resolve(doc, schema.get("properties").get(name));
      String at = path + "." + name;
      List<JsonNode> bad = new ArrayList<>();
      List<String> why = new ArrayList<>();
      switch (p.path("type").asText()) {
        case "string", "integer" -> scalarViolations(p, bad, why);
        case "array" -> {
          bad.add(TextNode.valueOf("x"));
          why.add("a string for an array");
          JsonNode element = valid.get(name).get(0);
          if (p.has("maxItems")) {
            ArrayNode many = Json.mapper().createArrayNode();
            for (int i = 0; i <= p.get("maxItems").asInt(); i++) {
              many.add(element.deepCopy());
            }
            bad.add(many);
            why.add("more than maxItems");
          }
          if (p.path("minItems").asInt() > 0) {
            bad.add(Json.mapper().createArrayNode());
            why.add("fewer than minItems");
          }
          JsonNode items = resolve(doc, p.get("items"));
          List<Violation> ofElement = new ArrayList<>();
          if (element.isObject()) {
            ofElement.addAll(violations(doc, items, (ObjectNode) element.deepCopy(), at + "[0]"));
          } else {
            List<JsonNode> badElements = new ArrayList<>();
            List<String> whyElements = new ArrayList<>();
            scalarViolations(items, badElements, whyElements);
            for (int i = 0; i < badElements.size(); i++) {
              ofElement.add(new Violation(at + "[0]", whyElements.get(i), badElements.get(i)));
            }
          }
          for (Violation v : ofElement) {
            ObjectNode b = valid.deepCopy();
            ((ArrayNode) b.get(name)).set(0, v.body());
            out.add(new Violation(v.path(), v.why(), b));
          }
        }
        case "object" -> {
          bad.add(TextNode.valueOf("x"));
          why.add("a string for an object");
          for (Violation v : violations(doc, p, (ObjectNode) valid.get(name).deepCopy(), at)) {
            ObjectNode b = valid.deepCopy();
            b.set(name, v.body());
            out.add(new Violation(v.path(), v.why(), b));
          }
        }
        // any JSON value (an execution's input, a task's output) or one of several types: no
        // type rule to break
        case "" -> {}
        default -> throw new AssertionError(at + " has an untested type " + p.path("type"));
      }
      for (int i = 0; i < bad.size(); i++) {
        ObjectNode b = valid.deepCopy();
        b.set(name, bad.get(i));
        out.add(new Violation(at, why.get(i), b));
      }
    }
    return out;
  }

  /** Values breaking one rule each of the string or integer schema {@code p}, and why. */
  static void scalarViolations(JsonNode p, List<JsonNode> bad, List<String> why) {
    switch (p.path("type").asText()) {
      case "string" -> {
        bad.add(IntNode.valueOf(5));
        why.add("a number for a string");
        if (p.has("maxLength")) {
          bad.add(TextNode.valueOf("a".repeat(p.get("maxLength").asInt() + 1)));
          why.add("longer than maxLength");
        }
        if (p.path("minLength").asInt() > 0) {
          bad.add(TextNode.valueOf("a".repeat(p.get("minLength").asInt() - 1)));
          why.add("shorter than minLength");
        }
        if (p.has("pattern") || p.has("enum")) {
          bad.add(TextNode.valueOf("a b"));
          why.add("outside pattern or enum");
        }
      }
      case "integer" -> {
        bad.add(TextNode.valueOf("5"));
        why.add("a string for an integer");
        bad.add(DoubleNode.valueOf(1.5));
        why.add("a fraction for an integer");
        if (p.has("maximum")) {
          bad.add(LongNode.valueOf(p.get("maximum").asLong() + 1));
          why.add("above maximum");
        }
        if (p.has("minimum")) {
          bad.add(LongNode.valueOf(p.get("minimum").asLong() - 1));
          why.add("below minimum");
        }
      }
      default -> throw new AssertionError("not a string or integer schema: " + p);
    }
  }

  static JsonNode served() throws Exception {
    HttpResponse<String> r = call("GET", OpenApi.PATH);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    return Json.parse(r.body());
  }

  /** "METHOD /path" for every operation of the document, with {param} placeholders. */
  static Set<String> documented(JsonNode doc) {
    return OpenApi.operations(doc);
  }

  @Test
  void servesAValidOpenApi31DocumentWithoutAuthentication() throws Exception {
    HttpResponse<String> r = call("GET", OpenApi.PATH);
    assertThat(r.statusCode()).isEqualTo(200);
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(r.body());
    assertThat(parsed.getMessages()).isEmpty();
    assertThat(parsed.getOpenAPI().getOpenapi()).startsWith("3.1");
    assertThat(parsed.getOpenAPI().getComponents().getSecuritySchemes()).containsKey("bearerAuth");
    JsonNode doc = served();
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    // the server's own routes, then each module's part: commerce's and the engine's
    assertThat(doc.get("paths").has("/health/ready")).isTrue();
    assertThat(doc.get("paths").has("/api/v1/orders")).isTrue();
    assertThat(doc.get("paths").has("/api/v1/executions/{id}/history")).isTrue();
    assertThat(doc.findValuesAsText("operationId"))
        .doesNotHaveDuplicates()
        .contains("healthLive", "metrics", "placeOrder", "getExecutionHistory", "sendTaskSuccess");
  }

  @Test
  void aServerDescribesOnlyTheModulesItRuns() {
    JsonNode bare = HttpApi.document(List.of());
    assertThat(bare.get("paths").properties())
        .extracting(java.util.Map.Entry::getKey)
        .containsExactlyInAnyOrder("/health/live", "/health/ready", "/metrics", OpenApi.PATH);
    JsonNode shop = HttpApi.document(List.of(app -> {}, new StatesHttpModule(commerce.engine())));
    assertThat(shop.get("paths").has("/api/v1/task-tokens/{token}/heartbeat")).isTrue();
    assertThat(shop.get("paths").has("/api/v1/orders")).isFalse();
    assertThat(shop.get("paths").has("/")).isFalse();
  }

  @Test
  void describesEveryRouteTheServerServesAndNoOther() throws Exception {
    Set<String> registered = OpenApi.routes(app.get());
    assertThat(registered)
        .hasSizeGreaterThan(30)
        .contains("GET /health/live", "GET /metrics", "POST /api/v1/executions/{id}/redrive");
    assertThat(documented(served())).isEqualTo(registered);
  }

  @Test
  void everyDocumentedOperationIsAnsweredByARoute() throws Exception {
    for (String op : documented(served())) {
      String method = op.substring(0, op.indexOf(' '));
      String path =
          op.substring(op.indexOf(' ') + 1)
              .replaceAll("\\{sku}", "NO-SUCH-SKU")
              .replaceAll("\\{[A-Za-z]+}", "00000000-0000-7000-8000-000000000000");
      HttpResponse<String> r = call(method, path);
      assertThat(r.statusCode()).as(op + " answered " + r.body()).isNotEqualTo(405);
      if (r.statusCode() == 404) {
        assertThat(Json.parse(r.body()).get("detail").asText()).as(op).doesNotStartWith("no route");
      }
      if (r.statusCode() >= 400) {
        assertThat(r.headers().firstValue("Content-Type"))
            .as(op)
            .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
      }
    }
  }

  @Test
  void everyDocumentedBodyRuleIsEnforcedByItsHandlerNamingTheField() throws Exception {
    JsonNode doc = served();
    int checked = 0;
    for (String op : documented(doc)) {
      String method = op.substring(0, op.indexOf(' '));
      String template = op.substring(op.indexOf(' ') + 1);
      JsonNode operation = doc.get("paths").get(template).get(method.toLowerCase(Locale.ROOT));
      JsonNode schemaRef = operation.at("/requestBody/content/application~1json/schema");
      if (schemaRef.isMissingNode()) {
        continue;
      }
      JsonNode schema = resolve(doc, schemaRef);
      assertThat(schema.path("examples").isArray()).as(op + " documents an example body").isTrue();
      ObjectNode example = (ObjectNode) schema.get("examples").get(0);
      String path =
          template
              .replace("{sku}", "DOC-1")
              .replace(
                  "{id}",
                  template.startsWith("/api/v1/executions/") ? "doc-machine:doc-1" : adminId)
              .replace("{name}", "doc-role")
              .replace("{token}", "00000000-0000-7000-8000-000000000000");
      HttpResponse<String> valid = call(method, path, admin, example.toString());
      assertThat(valid.statusCode())
          .as(op + " accepts its example: " + valid.body())
          .isNotEqualTo(400);
      for (Violation v : violations(doc, schema, example, "$")) {
        HttpResponse<String> r = call(method, path, admin, v.body().toString());
        assertThat(r.statusCode())
            .as(op + " " + v.path() + " " + v.why() + ": " + v.body() + " -> " + r.body())
            .isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElse(""))
            .startsWith("application/problem+json");
        assertThat(Json.parse(r.body()).path("field").asText())
            .as(op + " " + v.why() + " " + v.body())
            .isEqualTo(v.path());
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(60);
  }

  /** The JSON type names {@code value} satisfies. */
  static Set<String> typesOf(JsonNode value) {
    return switch (value.getNodeType()) {
      case NULL -> Set.of("null");
      case BOOLEAN -> Set.of("boolean");
      case NUMBER -> value.isIntegralNumber() ? Set.of("integer", "number") : Set.of("number");
      case STRING -> Set.of("string");
      case ARRAY -> Set.of("array");
      case OBJECT -> Set.of("object");
      default -> Set.of(value.getNodeType().name());
    };
  }

  /**
   * Checks {@code value} against {@code schema}: type, const, enum, required, properties, items.
   */
  static void check(JsonNode doc, JsonNode schema, JsonNode value, String at, List<String> errors) {
    schema = resolve(doc, schema);
    JsonNode type = schema.get("type");
    if (type != null) {
      Set<String> allowed = new TreeSet<>();
      if (type.isArray()) {
        type.forEach(t -> allowed.add(t.asText()));
      } else {
        allowed.add(type.asText());
      }
      if (typesOf(value).stream().noneMatch(allowed::contains)) {
        errors.add(at + ": documented as " + allowed + " but was " + value);
        return;
      }
    }
    if (schema.has("const") && !schema.get("const").equals(value)) {
      errors.add(at + ": documented as " + schema.get("const") + " but was " + value);
    }
    if (schema.has("enum") && !value.isNull()) {
      boolean listed = false;
      for (JsonNode e : schema.get("enum")) {
        listed |= e.equals(value);
      }
      if (!listed) {
        errors.add(at + ": " + value + " is not one of " + schema.get("enum"));
      }
    }
    if (value.isObject()) {
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.asText())) {
          errors.add(at + "." + required.asText() + ": documented as required but missing");
        }
      }
      for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        JsonNode p = schema.path("properties").get(name);
        if (p != null) {
          check(doc, p, value.get(name), at + "." + name, errors);
        } else if (schema.path("additionalProperties").isBoolean()
            && !schema.get("additionalProperties").asBoolean()) {
          errors.add(at + "." + name + ": not documented");
        }
      }
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        check(doc, schema.get("items"), value.get(i), at + "[" + i + "]", errors);
      }
    }
  }

  /** The response as the document describes it for its status and content type; errors, if any. */
  static List<String> conformance(
      JsonNode doc, String method, String template, HttpResponse<String> r) {
    List<String> errors = new ArrayList<>();
    String op = method + " " + template + " -> " + r.statusCode();
    JsonNode described =
        doc.get("paths")
            .get(template)
            .get(method.toLowerCase(Locale.ROOT))
            .get("responses")
            .get(Integer.toString(r.statusCode()));
    if (described == null) {
      errors.add(op + ": status not documented (" + r.body() + ")");
      return errors;
    }
    described = resolve(doc, described);
    if (!described.has("content")) {
      if (!r.body().isEmpty()) {
        errors.add(op + ": documented without a body but had " + r.body());
      }
      return errors;
    }
    String contentType = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
    JsonNode media = described.get("content").get(contentType);
    if (media == null) {
      errors.add(op + ": content type " + contentType + " not documented");
      return errors;
    }
    if (contentType.endsWith("json")) {
      check(doc, media.get("schema"), Json.parse(r.body()), op + " $", errors);
    }
    return errors;
  }

  @Test
  void everyResponseBodyMatchesItsDocumentedSchema() throws Exception {
    JsonNode doc = served();
    List<String> errors = new ArrayList<>();
    record Call(String method, String template, String path, String token, String body) {}
    HttpResponse<String> registered =
        call(
            "POST",
            "/api/v1/auth/register",
            null,
            "{\"username\":\"shape\",\"password\":\"password-1\",\"name\":\"Shape\"}");
    errors.addAll(conformance(doc, "POST", "/api/v1/auth/register", registered));
    String userId = Json.parse(registered.body()).get("id").asText();
    HttpResponse<String> login =
        call(
            "POST",
            "/api/v1/auth/login",
            null,
            "{\"username\":\"shape\",\"password\":\"password-1\"}");
    errors.addAll(conformance(doc, "POST", "/api/v1/auth/login", login));
    String token = Json.parse(login.body()).get("accessToken").asText();
    String refresh = Json.parse(login.body()).get("refreshToken").asText();
    commerce.inventory().create(new Product("SHAPE-1", "Shape", 250, "EUR", 5), 10);
    HttpResponse<String> placed =
        call("POST", "/api/v1/orders", token, "{\"items\":[{\"sku\":\"SHAPE-1\",\"quantity\":2}]}");
    errors.addAll(conformance(doc, "POST", "/api/v1/orders", placed));
    String orderId = Json.parse(placed.body()).get("id").asText();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Json.parse(
                        call("GET", "/api/v1/customers/" + userId + "/orders", token, null).body())
                    .get("items")
                    .toString()
                    .contains("CONFIRMED"));
    HttpResponse<String> refreshed =
        call("POST", "/api/v1/auth/refresh", null, "{\"refreshToken\":\"" + refresh + "\"}");
    errors.addAll(conformance(doc, "POST", "/api/v1/auth/refresh", refreshed));
    String nextRefresh = Json.parse(refreshed.body()).get("refreshToken").asText();
    List<Call> calls =
        List.of(
            new Call("GET", "/api/v1/users/me", "/api/v1/users/me", token, null),
            new Call("GET", "/api/v1/users/{id}", "/api/v1/users/" + userId, token, null),
            new Call(
                "PUT", "/api/v1/users/{id}", "/api/v1/users/" + userId, token, "{\"name\":\"S\"}"),
            new Call("GET", "/api/v1/products", "/api/v1/products", token, null),
            new Call("GET", "/api/v1/products/{sku}", "/api/v1/products/SHAPE-1", token, null),
            new Call(
                "POST",
                "/api/v1/products",
                "/api/v1/products",
                admin,
                "{\"sku\":\"SHAPE-2\",\"name\":\"Two\",\"price\":1}"),
            new Call("GET", "/api/v1/inventory/{sku}", "/api/v1/inventory/SHAPE-1", admin, null),
            new Call(
                "PUT",
                "/api/v1/inventory/{sku}",
                "/api/v1/inventory/SHAPE-2",
                admin,
                "{\"available\":3}"),
            new Call(
                "POST",
                "/api/v1/inventory/{sku}/adjustments",
                "/api/v1/inventory/SHAPE-2/adjustments",
                admin,
                "{\"delta\":1}"),
            new Call("GET", "/api/v1/inventory-events", "/api/v1/inventory-events", admin, null),
            new Call("GET", "/api/v1/replenishments", "/api/v1/replenishments", admin, null),
            new Call("GET", "/api/v1/orders/{id}", "/api/v1/orders/" + orderId, token, null),
            new Call(
                "GET",
                "/api/v1/customers/{id}/orders",
                "/api/v1/customers/" + userId + "/orders",
                token,
                null),
            new Call(
                "GET",
                "/api/v1/customers/{id}/stats",
                "/api/v1/customers/" + userId + "/stats",
                token,
                null),
            new Call(
                "GET", "/api/v1/payments/{orderId}", "/api/v1/payments/" + orderId, admin, null),
            new Call(
                "POST",
                "/api/v1/admin/projections/orders/rebuild",
                "/api/v1/admin/projections/orders/rebuild",
                admin,
                null),
            new Call("GET", "/api/v1/orders/{id}", "/api/v1/orders/not-a-uuid", token, null),
            new Call("GET", "/api/v1/roles", "/api/v1/roles", admin, null),
            new Call(
                "POST",
                "/api/v1/roles",
                "/api/v1/roles",
                admin,
                "{\"name\":\"shape-role\",\"permissions\":[\"catalog_read\"]}"),
            new Call("GET", "/api/v1/roles/{name}", "/api/v1/roles/shape-role", admin, null),
            new Call(
                "PUT",
                "/api/v1/roles/{name}",
                "/api/v1/roles/shape-role",
                admin,
                "{\"permissions\":[\"catalog_read\",\"operate\"]}"),
            new Call(
                "PUT",
                "/api/v1/roles/{name}",
                "/api/v1/roles/admin",
                admin,
                "{\"permissions\":[\"operate\"]}"),
            new Call("GET", "/api/v1/roles/{name}", "/api/v1/roles/nobody", admin, null),
            new Call("GET", "/api/v1/roles", "/api/v1/roles", token, null),
            new Call(
                "GET", "/api/v1/payments/{orderId}", "/api/v1/payments/" + orderId, token, null),
            new Call("GET", "/api/v1/users/me", "/api/v1/users/me", null, null),
            new Call(
                "POST",
                "/api/v1/auth/logout",
                "/api/v1/auth/logout",
                token,
                "{\"refreshToken\":\"" + nextRefresh + "\"}"));
    String ex = "/api/v1/executions/{id}";
    String s1 = "/api/v1/executions/shape-machine:s1";
    List<Call> engineCalls =
        List.of(
            new Call("GET", "/health/live", "/health/live", null, null),
            new Call("GET", "/health/ready", "/health/ready", null, null),
            new Call("GET", "/metrics", "/metrics", null, null),
            new Call(
                "POST",
                "/api/v1/state-machines",
                "/api/v1/state-machines",
                admin,
                "{\"name\":\"shape-machine\",\"definition\":" + WAITING + "}"),
            new Call(
                "POST",
                "/api/v1/state-machines",
                "/api/v1/state-machines",
                admin,
                "{\"name\":\"shape-machine\",\"definition\":{\"StartAt\":1}}"),
            new Call(
                "POST",
                "/api/v1/executions",
                "/api/v1/executions",
                admin,
                "{\"stateMachineName\":\"shape-machine\",\"name\":\"s1\",\"input\":{\"a\":1}}"),
            new Call(
                "POST",
                "/api/v1/executions",
                "/api/v1/executions",
                admin,
                "{\"stateMachineName\":\"shape-machine\",\"name\":\"s1\",\"input\":{\"a\":1}}"),
            new Call(
                "POST",
                "/api/v1/executions",
                "/api/v1/executions",
                admin,
                "{\"stateMachineName\":\"no-such-machine\"}"),
            new Call(
                "GET",
                "/api/v1/executions",
                "/api/v1/executions?stateMachine=shape-machine&status=running",
                admin,
                null),
            new Call("GET", "/api/v1/executions", "/api/v1/executions?limit=0", admin, null),
            new Call("GET", ex, s1, admin, null),
            new Call("GET", ex, "/api/v1/executions/nope", admin, null),
            new Call("GET", ex, "/api/v1/executions/shape-machine:none", admin, null),
            new Call("GET", ex + "/history", s1 + "/history?limit=1", admin, null),
            new Call("GET", ex + "/history", s1 + "/history?nextToken=forged", admin, null),
            new Call(
                "POST", ex + "/stop", s1 + "/stop", admin, "{\"error\":\"E\",\"cause\":\"c\"}"),
            new Call("POST", ex + "/stop", s1 + "/stop", admin, null),
            new Call("POST", ex + "/redrive", s1 + "/redrive", admin, null),
            new Call(
                "POST",
                "/api/v1/task-tokens/{token}/heartbeat",
                "/api/v1/task-tokens/unknown-token/heartbeat",
                admin,
                null),
            new Call(
                "POST",
                "/api/v1/task-tokens/{token}/success",
                "/api/v1/task-tokens/unknown-token/success",
                admin,
                "{\"output\":{}}"),
            new Call(
                "POST",
                "/api/v1/task-tokens/{token}/failure",
                "/api/v1/task-tokens/unknown-token/failure",
                admin,
                null));
    for (Call c : concat(calls, engineCalls)) {
      errors.addAll(
          conformance(
              doc, c.method(), c.template(), call(c.method(), c.path(), c.token(), c.body())));
    }
    assertThat(errors).isEmpty();
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Test
  void documentsTheIdempotencyKeyAndProblemResponsesOfPlacingAnOrder() throws Exception {
    JsonNode doc = served();
    JsonNode place = doc.at("/paths/~1api~1v1~1orders/post");
    assertThat(place.get("parameters").toString()).contains("IdempotencyKey");
    assertThat(doc.at("/components/parameters/IdempotencyKey/name").asText())
        .isEqualTo("Idempotency-Key");
    assertThat(place.get("responses").has("409")).isTrue();
    assertThat(doc.at("/components/responses/BadRequest/content").has("application/problem+json"))
        .isTrue();
    assertThat(doc.at("/components/schemas/OrderLine/properties/quantity/maximum").asInt())
        .isEqualTo(1000);
  }
}
